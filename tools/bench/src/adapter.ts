import type { WebGpuAdapterInfo } from "@unroll/backend-webgpu";

// CPU implementations of Vulkan that a browser may offer WebGPU through without calling them fallbacks
const SOFTWARE = /swiftshader|llvmpipe|lavapipe/i;

/**
 * True when the adapter runs on the CPU (Chromium's fallback SwiftShader, or
 * Mesa's llvmpipe / lavapipe): its times say nothing about GPUs.
 */
export function isSoftwareAdapter(info: WebGpuAdapterInfo): boolean {
  return info.isFallbackAdapter || SOFTWARE.test(`${info.architecture} ${info.device} ${info.description}`);
}

/** The adapter as a reader names it: `google swiftshader (fallback adapter)`, `nvidia ampere`. */
export function adapterName(info: WebGpuAdapterInfo): string {
  const name = [info.vendor, info.architecture, info.device || info.description].filter(Boolean).join(" ") || "unnamed adapter";
  return info.isFallbackAdapter ? `${name} (fallback adapter)` : name;
}
