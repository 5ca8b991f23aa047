import type { Backend } from "@unroll/bptt";

/** One unroll backend configuration that the benchmark runs, in Node (backends.ts) or in the browser (browser-backends.ts). */
export interface UnrollBackendEntry {
  /** The backend's name, as in the JSON output (`"cpu"`, `"workers"`, `"webgpu"`). */
  readonly backend: string;
  /** Number of workers, for backends that have them. */
  readonly workers?: number;
  /** False: skipped under `--quick`, whose job is to keep every code path running, not to compare siblings. */
  readonly quick?: boolean;
  /**
   * False: the browser page does not measure its memory after the steps (the table says "not measured"). The wasm
   * backend's workers wait on `Atomics` between kernels and never return to their event loops while it lives, and
   * `performance.measureUserAgentSpecificMemory()` waits for every worker of the page: it would never resolve.
   */
  readonly pageMemory?: boolean;
  /** Starts the backend; a failed import or start makes this pair "unavailable", not a crash. */
  create(): Promise<Backend>;
}

/** The system label of an unroll backend: `unroll/cpu`, `unroll/workers×2`. */
export function unrollLabel(b: UnrollBackendEntry): string {
  return b.workers === undefined ? `unroll/${b.backend}` : `unroll/${b.backend}×${b.workers}`;
}
