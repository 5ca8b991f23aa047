import type { Backend } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import type { UnrollBackendEntry } from "./backend-entry.js";

async function workerBackend(workers: number): Promise<Backend> {
  // imported on demand, so a broken or missing worker package only affects its own rows
  const { createWorkerBackend } = await import("@unroll/backend-workers");
  return createWorkerBackend({ workers });
}

async function wasmBackend(threads: number): Promise<Backend> {
  const { createWasmBackend } = await import("@unroll/backend-wasm");
  return createWasmBackend({ threads });
}

/**
 * The unroll backends to measure in Node, in table order. Adding a backend (e.g. CPU
 * kernels from `@unroll/kernels-wasm`) is one entry here.
 */
export const unrollBackends: readonly UnrollBackendEntry[] = [
  { backend: "cpu", create: async () => createCpuBackend() },
  { backend: "workers", workers: 1, quick: false, create: () => workerBackend(1) },
  { backend: "workers", workers: 2, create: () => workerBackend(2) },
  // `workers` counts the wasm backend's threads, the caller's own included: ×1 has no workers at all
  { backend: "wasm", workers: 1, create: () => wasmBackend(1) },
  { backend: "wasm", workers: 2, create: () => wasmBackend(2) },
];
