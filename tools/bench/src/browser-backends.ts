import type { Backend } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { createWebGpuBackend } from "@unroll/backend-webgpu";
import { unrollLabel, type UnrollBackendEntry } from "./backend-entry.js";

async function wasmBackend(threads: number): Promise<Backend> {
  const { createWasmBackend } = await import("@unroll/backend-wasm");
  const backend = createWasmBackend({ threads });
  // starts it now: a page that cannot share memory would quietly time one thread under the ×2 label
  const threading = await backend.threading();
  if (threading.threads !== threads) {
    await backend.dispose();
    throw new Error(`unroll/wasm×${threads} runs on ${threading.threads} thread(s) here: ${threading.reason ?? "unknown reason"}`);
  }
  return backend;
}

/**
 * The unroll backends the browser page measures (`--browser`), in table order:
 * the same CPU backend (its float32 products on the WebAssembly SIMD GEMM),
 * the worker pool on module Web Workers, the WebAssembly device on one thread
 * and on two (a blob-URL Web Worker on the same shared memory: the page is
 * cross-origin isolated), and WebGPU. Each is created inside
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
  // `workers` counts the wasm backend's threads, the page's own included, as in Node: ×1 has no workers at all
  { backend: "wasm", workers: 1, create: () => wasmBackend(1) },
  { backend: "wasm", workers: 2, pageMemory: false, create: () => wasmBackend(2) },
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
