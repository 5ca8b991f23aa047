import type { Backend } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
// the browser entry's type: the same options, and no Node code for the web demo's type check
import type { WorkerBackendOptions } from "@unroll/backend-workers/web";
import { BackendSpecError } from "./backend-spec-error.js";

/** The backends the apps offer, by name. */
export type BackendName = "cpu" | "workers";

/** Every {@link BackendName}, e.g. for a command line's choices. */
export const backendNames: readonly BackendName[] = ["cpu", "workers"];

/** True when `name` is a {@link BackendName}. */
export function isBackendName(name: string): name is BackendName {
  return (backendNames as readonly string[]).includes(name);
}

/** What a backend may be created with; a backend ignores what it does not take. */
export interface BackendOptions {
  /** Pool size of a backend that {@link BackendEntry.takesWorkers} (default: one worker per core). */
  readonly workers?: number;
  /** Debug log of a pool: workers started, died and replaced, how windows were split. */
  readonly log?: (message: string) => void;
}

/** One backend of the registry: what help texts say of it, and how to make it. */
export interface BackendEntry {
  /** One line for a help text. */
  readonly description: string;
  /** True when it runs on a pool whose size {@link BackendOptions.workers} sets. */
  readonly takesWorkers: boolean;
  /** Makes a fresh backend; dispose it when done. */
  create(options: BackendOptions): Backend;
}

/** A backend chosen by a spec string: its name, and a pool size when the spec gives one. */
export interface BackendSpec {
  /** The backend. */
  readonly name: BackendName;
  /** The `N` of `workers:N`. */
  readonly workers?: number;
}

/** Parses a worker count: a positive integer. */
function parseWorkerCount(value: string): number {
  const n = Number(value);
  if (!(value.trim() !== "" && Number.isInteger(n) && n >= 1)) throw new BackendSpecError(`the number of workers must be a positive integer, got "${value}"`);
  return n;
}

/**
 * The backends by name, over a given worker-pool factory: the package's main
 * entry passes `@unroll/backend-workers`' (worker threads in Node), its `/web`
 * entry the browser one (Web Workers, no Node code for a bundler). A new
 * backend is one entry in {@link BackendRegistry.entries}.
 *
 * ```ts
 * backends.create("cpu");                          // this thread
 * backends.create("workers:4");                    // a pool of 4
 * backends.create("workers", { workers: 2, log }); // the same from options
 * ```
 */
export class BackendRegistry {
  /** Every backend, by name. */
  readonly entries: { readonly [K in BackendName]: BackendEntry };

  constructor(createPool: (options: WorkerBackendOptions) => Backend) {
    this.entries = {
      cpu: { description: "this thread, WebAssembly SIMD matrix products", takesWorkers: false, create: () => createCpuBackend() },
      workers: {
        description: "a pool of workers splitting the batch",
        takesWorkers: true,
        create: ({ workers, log }) => createPool({ ...(workers !== undefined ? { workers } : {}), ...(log ? { log } : {}) }),
      },
    };
  }

  /** Parses `cpu`, `workers` or `workers:N` (a pool of N). */
  parse(spec: string): BackendSpec {
    const colon = spec.indexOf(":");
    const name = colon < 0 ? spec : spec.slice(0, colon);
    if (!isBackendName(name)) throw new BackendSpecError(`unknown backend "${name}"; available: ${backendNames.join(", ")}`);
    if (colon < 0) return { name };
    if (!this.entries[name].takesWorkers) throw new BackendSpecError(`backend "${name}" takes no ":" argument`);
    return { name, workers: parseWorkerCount(spec.slice(colon + 1)) };
  }

  /** Creates the backend of a spec (see {@link parse}); a pool size in the spec wins over `options.workers`. */
  create(spec: string, options: BackendOptions = {}): Backend {
    const { name, workers } = this.parse(spec);
    return this.entries[name].create({ ...options, ...(workers !== undefined ? { workers } : {}) });
  }
}
