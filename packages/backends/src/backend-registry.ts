import type { Backend } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { createWasmBackend } from "@unroll/backend-wasm";
import { createWebGpuBackend, navigatorGpu } from "@unroll/backend-webgpu";
// the browser entry's type: the same options, and no Node code for the web demo's type check
import type { WorkerBackendOptions } from "@unroll/backend-workers/web";
import { BackendSpecError } from "./backend-spec-error.js";

/** The backends the apps offer, by name. */
export type BackendName = "cpu" | "wasm" | "workers" | "webgpu";

/** Every {@link BackendName}, including those that cannot run here: a command line's choices are {@link BackendRegistry.available}. */
export const backendNames: readonly BackendName[] = ["cpu", "wasm", "workers", "webgpu"];

/** True when `name` is a {@link BackendName}. */
export function isBackendName(name: string): name is BackendName {
  return (backendNames as readonly string[]).includes(name);
}

/** What a backend may be created with; a backend ignores what it does not take. */
export interface BackendOptions {
  /** Pool size of a backend that {@link BackendEntry.takesWorkers} (default: one worker per core). */
  readonly workers?: number;
  /** Threads of a backend that {@link BackendEntry.takesThreads}, the caller's own included (default: one per core). */
  readonly threads?: number;
  /** Debug log of a pool: workers started, died and replaced, how windows were split. */
  readonly log?: (message: string) => void;
}

/** One backend of the registry: what help texts say of it, and how to make it. */
export interface BackendEntry {
  /** One line for a help text. */
  readonly description: string;
  /** True when it runs on a pool whose size {@link BackendOptions.workers} sets. */
  readonly takesWorkers: boolean;
  /** True when {@link BackendOptions.threads} sets how many threads split its kernels. */
  readonly takesThreads?: boolean;
  /** Why it cannot run in this runtime, saying where it does; undefined when it can. Absent: it runs everywhere. */
  readonly unavailable?: () => string | undefined;
  /** Makes a fresh backend; dispose it when done. */
  create(options: BackendOptions): Backend;
}

/** A backend chosen by a spec string: its name, and a pool size or thread count when the spec gives one. */
export interface BackendSpec {
  /** The backend. */
  readonly name: BackendName;
  /** The `N` of `workers:N`. */
  readonly workers?: number;
  /** The `N` of `wasm:N`. */
  readonly threads?: number;
}

/** Parses a count of workers or threads: a positive integer. */
function parseCount(value: string, what: string): number {
  const n = Number(value);
  if (!(value.trim() !== "" && Number.isInteger(n) && n >= 1)) throw new BackendSpecError(`the number of ${what} must be a positive integer, got "${value}"`);
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
 * backends.create("wasm:2");                       // WebAssembly, products split across 2 threads
 * backends.create("workers:4");                    // a pool of 4
 * backends.create("workers", { workers: 2, log }); // the same from options
 * backends.create("webgpu");                       // in a browser with WebGPU; elsewhere a BackendSpecError
 * ```
 */
export class BackendRegistry {
  /** Every backend, by name. */
  readonly entries: { readonly [K in BackendName]: BackendEntry };

  constructor(createPool: (options: WorkerBackendOptions) => Backend) {
    this.entries = {
      cpu: { description: "this thread, WebAssembly SIMD matrix products", takesWorkers: false, create: () => createCpuBackend() },
      wasm: {
        description: "WebAssembly SIMD kernels in one memory, each large kernel split across --threads N (default one per core)",
        takesWorkers: false,
        takesThreads: true,
        create: ({ threads }) => createWasmBackend(threads !== undefined ? { threads } : {}),
      },
      workers: {
        description: "a pool of workers splitting the batch (slower than wasm on small batches: see the README)",
        takesWorkers: true,
        create: ({ workers, log }) => createPool({ ...(workers !== undefined ? { workers } : {}), ...(log ? { log } : {}) }),
      },
      webgpu: {
        description: "WGSL compute shaders on the GPU, float32 only; needs a browser with WebGPU",
        takesWorkers: false,
        // Node has no navigator.gpu: refuse at once rather than at the first load
        unavailable: () =>
          navigatorGpu()
            ? undefined
            : "it needs WebGPU (navigator.gpu), which this runtime lacks; it runs in a browser with WebGPU, as in the web demo (npm run web)",
        create: () => createWebGpuBackend(),
      },
    };
  }

  /** The backends that can run in this runtime, in the order of {@link backendNames}: `webgpu` only where `navigator.gpu` exists. */
  available(): BackendName[] {
    return backendNames.filter((name) => this.entries[name].unavailable?.() === undefined);
  }

  /** Parses `cpu`, `wasm`, `wasm:N` (N threads), `workers`, `workers:N` (a pool of N) or `webgpu`; refuses a backend that cannot run here. */
  parse(spec: string): BackendSpec {
    const colon = spec.indexOf(":");
    const name = colon < 0 ? spec : spec.slice(0, colon);
    if (!isBackendName(name)) throw new BackendSpecError(`unknown backend "${name}"; available: ${this.available().join(", ")}`);
    const why = this.entries[name].unavailable?.();
    if (why !== undefined) throw new BackendSpecError(`backend "${name}" cannot run here: ${why}`);
    if (colon < 0) return { name };
    const entry = this.entries[name];
    if (entry.takesWorkers) return { name, workers: parseCount(spec.slice(colon + 1), "workers") };
    if (entry.takesThreads) return { name, threads: parseCount(spec.slice(colon + 1), "threads") };
    throw new BackendSpecError(`backend "${name}" takes no ":" argument`);
  }

  /** Creates the backend of a spec (see {@link parse}); a count in the spec wins over `options.workers` and `options.threads`. */
  create(spec: string, options: BackendOptions = {}): Backend {
    const { name, workers, threads } = this.parse(spec);
    return this.entries[name].create({ ...options, ...(workers !== undefined ? { workers } : {}), ...(threads !== undefined ? { threads } : {}) });
  }
}
