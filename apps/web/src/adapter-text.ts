import type { WebGpuAdapterInfo } from "@unroll/backend-webgpu";

/** Adapters that compute on the CPU (Chromium's SwiftShader, Mesa's llvmpipe and lavapipe), which a browser may not flag as fallbacks. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe/i;

/** True for an adapter that computes on the CPU: a fallback adapter, or a known software one. */
export function isSoftwareAdapter(info: WebGpuAdapterInfo): boolean {
  return info.isFallbackAdapter || SOFTWARE_ADAPTER.test([info.vendor, info.architecture, info.device, info.description].join(" "));
}

/**
 * One line for the page: which adapter the WebGPU backend runs on (vendor,
 * architecture, description, as far as the browser tells), and for a software
 * adapter that its times say nothing about GPUs.
 */
export function adapterText(info: WebGpuAdapterInfo): string {
  const said = [info.vendor, info.architecture, info.description || info.device].filter((s) => s.trim() !== "");
  const name = said.length > 0 ? said.join(", ") : "not described by the browser";
  return `WebGPU adapter: ${name}${isSoftwareAdapter(info) ? "; software adapter: times say nothing about GPUs" : ""}.`;
}
