import { isSoftwareAdapter, type WebGpuAdapterInfo } from "@unroll/backend-webgpu";

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
