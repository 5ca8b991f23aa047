import type { Backend } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { createWorkerBackend } from "@unroll/backend-workers";

/** The backends the demo can train on. */
export type BackendKind = "cpu" | "workers";

/** Every {@link BackendKind}, for option choices. */
export const backendKinds: readonly BackendKind[] = ["cpu", "workers"];

/**
 * Creates a backend: `cpu` runs in this thread; `workers` splits each window's
 * streams across a pool of worker threads (one per core by default).
 */
export function createBackend(kind: BackendKind): Backend {
  return kind === "workers" ? createWorkerBackend() : createCpuBackend();
}
