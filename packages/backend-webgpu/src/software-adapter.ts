import type { WebGpuAdapterInfo } from "./webgpu-backend.js";

/** CPU implementations of WebGPU's native APIs (Chromium's SwiftShader, Mesa's llvmpipe and lavapipe), which a browser may not flag as fallbacks. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe/i;

/** True when the adapter computes on the CPU: a fallback adapter, or a known software one. Its times say nothing about GPUs. */
export function isSoftwareAdapter(info: WebGpuAdapterInfo): boolean {
  return info.isFallbackAdapter || SOFTWARE.test([info.vendor, info.architecture, info.device, info.description].join(" "));
}
