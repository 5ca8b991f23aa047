import type { Backend } from "@unroll/bptt";
import { BackendSpecError, backendNames, backends } from "@unroll/backends";
import { UserError } from "./user-error.js";

/** The `--backend` help text, from the registry of `@unroll/backends`: the backends that run here (not `webgpu`, which needs a browser). */
export function backendHelp(): string {
  const offered = backends.available().map((name) => `${name} (${backends.entries[name].description})`);
  return `backend: ${offered.join(", or ")}`;
}

/** A registry error as the CLI reports it: a user error, exit 2. */
function asUserError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof BackendSpecError ? new UserError(e.message) : e;
  }
}

/**
 * The backend spec for `--backend NAME --FLAG N`: `NAME:N`, for a backend whose
 * registry entry takes that count (`takesWorkers`, `takesThreads`).
 */
function withCount(flag: "workers" | "threads", takes: "takesWorkers" | "takesThreads", name: string, value: string): string {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1)) throw new UserError(`--${flag} must be a positive integer, got "${value}"`);
  const spec = asUserError(() => backends.parse(name));
  if (!backends.entries[spec.name][takes]) {
    const takers = backendNames.filter((k) => backends.entries[k][takes]);
    throw new UserError(`--${flag} applies to --backend ${takers.join(" or ")} only, not "${name}"`);
  }
  return `${spec.name}:${n}`;
}

/** The backend spec for `--backend NAME --workers N`: `workers:N`. Throws when `--workers` is given with a backend that has no workers. */
export function withWorkers(name: string, workers: string): string {
  return withCount("workers", "takesWorkers", name, workers);
}

/** The backend spec for `--backend NAME --threads N`: `wasm:N`. Throws when `--threads` is given with a backend that does not take threads. */
export function withThreads(name: string, threads: string): string {
  return withCount("threads", "takesThreads", name, threads);
}

/** Creates the backend named on the command line: `cpu`, `wasm`, `wasm:N` for N threads, `workers`, or `workers:N` for a pool of N workers. */
export function createBackend(spec: string): Backend {
  return asUserError(() => backends.create(spec));
}
