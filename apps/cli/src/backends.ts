import type { Backend } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { createWorkerBackend } from "@unroll/backend-workers";
import { UserError } from "./user-error.js";

/** Backends the CLI can create, by `--backend` name; `workers` takes an optional worker count. */
const factories: Record<string, (workers: number | undefined) => Backend> = {
  cpu: () => createCpuBackend(),
  workers: (workers) => createWorkerBackend(workers === undefined ? {} : { workers }),
};

/** Parses a worker count given on the command line. */
function parseWorkers(value: string): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1)) throw new UserError(`--workers must be a positive integer, got "${value}"`);
  return n;
}

/**
 * The backend spec for `--backend NAME --workers N`: `workers:N`. Throws when
 * `--workers` is given with a backend that has no workers.
 */
export function withWorkers(name: string, workers: string): string {
  const n = parseWorkers(workers);
  if (name !== "workers") throw new UserError(`--workers applies to --backend workers only, not "${name}"`);
  return `workers:${n}`;
}

/** Creates the backend named on the command line: `cpu`, `workers`, or `workers:N` for a pool of N workers. */
export function createBackend(spec: string): Backend {
  const colon = spec.indexOf(":");
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const make = factories[name];
  if (!make) throw new UserError(`unknown backend "${name}"; available: ${Object.keys(factories).join(", ")}`);
  if (colon >= 0 && name !== "workers") throw new UserError(`backend "${name}" takes no ":" argument`);
  return make(colon < 0 ? undefined : parseWorkers(spec.slice(colon + 1)));
}
