import type { Backend } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { createWorkerBackend } from "@unroll/backend-workers";
import { UserError } from "./user-error.js";

/** A backend the CLI can create: what `--help` says of it, and how to make it (with `--workers N`, if it takes a worker count). */
interface BackendEntry {
  /** One line for `--help`. */
  readonly description: string;
  /** True when it takes `--workers N`. */
  readonly takesWorkers: boolean;
  /** Makes the backend. */
  readonly create: (workers: number | undefined) => Backend;
}

/** Every backend the CLI offers, by `--backend` name: a new backend is one entry here. */
export const backends: Readonly<Record<string, BackendEntry>> = {
  cpu: { description: "this thread, WebAssembly SIMD matrix products", takesWorkers: false, create: () => createCpuBackend() },
  workers: {
    description: "a pool of worker threads splitting the batch",
    takesWorkers: true,
    create: (workers) => createWorkerBackend(workers === undefined ? {} : { workers }),
  },
};

/** The `--backend` help text, from {@link backends}. */
export function backendHelp(): string {
  return `backend: ${Object.entries(backends)
    .map(([name, b]) => `${name} (${b.description})`)
    .join(", or ")}`;
}

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
  if (!backends[name]?.takesWorkers) {
    const pools = Object.keys(backends).filter((k) => backends[k].takesWorkers);
    throw new UserError(`--workers applies to --backend ${pools.join(" or ")} only, not "${name}"`);
  }
  return `workers:${n}`;
}

/** Creates the backend named on the command line: `cpu`, `workers`, or `workers:N` for a pool of N workers. */
export function createBackend(spec: string): Backend {
  const colon = spec.indexOf(":");
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const entry = backends[name];
  if (!entry) throw new UserError(`unknown backend "${name}"; available: ${Object.keys(backends).join(", ")}`);
  if (colon >= 0 && !entry.takesWorkers) throw new UserError(`backend "${name}" takes no ":" argument`);
  return entry.create(colon < 0 ? undefined : parseWorkers(spec.slice(colon + 1)));
}
