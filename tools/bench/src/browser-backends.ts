import { createCpuBackend } from "@unroll/backend-cpu";
import { createWebGpuBackend } from "@unroll/backend-webgpu";
import { unrollLabel, type UnrollBackendEntry } from "./backend-entry.js";

/**
 * The unroll backends the browser page measures (`--browser`), in table order:
 * the same CPU backend (its float32 products on the WebAssembly SIMD GEMM),
 * the worker pool on module Web Workers, and WebGPU. Each is created inside
 * the page, from the packages' browser entries. Nothing here imports Node
 * code: the page loads this file.
 */
export const browserBackends: readonly UnrollBackendEntry[] = [
  { backend: "cpu", create: async () => createCpuBackend() },
  {
    backend: "workers",
    workers: 2,
    create: async () => {
      const { createWorkerBackend } = await import("@unroll/backend-workers/web");
      return createWorkerBackend({ workers: 2 });
    },
  },
  {
    backend: "webgpu",
    create: async () => {
      const backend = createWebGpuBackend();
      // opens the device now: a browser without WebGPU makes the pair "unavailable", not an error
      await backend.adapter();
      return backend;
    },
  },
];

/** The browser backend of a system label (`unroll/webgpu`). */
export function browserBackendByLabel(label: string): UnrollBackendEntry {
  const b = browserBackends.find((e) => unrollLabel(e) === label);
  if (!b) throw new Error(`unknown browser system "${label}"; known: ${browserBackends.map(unrollLabel).join(", ")}`);
  return b;
}
