import type { WebGpuAdapterInfo } from "@unroll/backend-webgpu";

/** The adapter as a reader names it: `google swiftshader (fallback adapter)`, `nvidia ampere`. */
export function adapterName(info: WebGpuAdapterInfo): string {
  const name = [info.vendor, info.architecture, info.device || info.description].filter(Boolean).join(" ") || "unnamed adapter";
  return info.isFallbackAdapter ? `${name} (fallback adapter)` : name;
}
