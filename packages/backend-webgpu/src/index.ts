/**
 * `@unroll/backend-webgpu`: the WebGPU backend. Tensors live in GPU memory,
 * kernels are WGSL compute shaders, and a window is recorded and submitted as
 * one compute pass; the shared executor of `@unroll/bptt` runs time.
 *
 * Guide: [writing a backend](../../../docs/guides/writing-a-backend.md) (this package is its worked example).
 * @packageDocumentation
 */
export { createWebGpuBackend, navigatorGpu, webGpuCapabilities } from "./webgpu-backend.js";
export type { WebGpuAdapterInfo, WebGpuBackend, WebGpuBackendOptions } from "./webgpu-backend.js";
export { webGpuDevice, type WebGpuDevice } from "./gpu-device.js";
export type { GpuBuf } from "./gpu-buffer.js";
export { chromiumWebGpuFlags, type ChromiumAdapter } from "./chromium-flags.js";
export { isSoftwareAdapter } from "./software-adapter.js";
