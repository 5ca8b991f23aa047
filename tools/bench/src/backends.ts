import type { Backend } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";

/** One unroll backend configuration that the benchmark runs. */
export interface UnrollBackendEntry {
  /** The backend's name, as in the JSON output (`"cpu"`, `"workers"`). */
  readonly backend: string;
  /** Number of workers, for backends that have them. */
  readonly workers?: number;
  /** False: skipped under `--quick`, whose job is to keep every code path running, not to compare siblings. */
  readonly quick?: boolean;
  /** Starts the backend; a failed import or start makes this pair "unavailable", not a crash. */
  create(): Promise<Backend>;
}

async function workerBackend(workers: number): Promise<Backend> {
  // imported on demand, so a broken or missing worker package only affects its own rows
  const { createWorkerBackend } = await import("@unroll/backend-workers");
  return createWorkerBackend({ workers });
}

/**
 * The unroll backends to measure, in table order. Adding a backend (e.g. CPU
 * kernels from `@unroll/kernels-wasm`) is one entry here.
 */
export const unrollBackends: readonly UnrollBackendEntry[] = [
  { backend: "cpu", create: async () => createCpuBackend() },
  { backend: "workers", workers: 1, quick: false, create: () => workerBackend(1) },
  { backend: "workers", workers: 2, create: () => workerBackend(2) },
];
