/** Which WebGPU adapter {@link chromiumWebGpuFlags} asks Chromium for. */
export type ChromiumAdapter = "default" | "swiftshader";

/**
 * Command-line flags that give (headless) Chromium WebGPU, for tests, CI and
 * benchmarks driven by Playwright or Puppeteer: WebGPU itself and, on Linux,
 * its Vulkan path. `"swiftshader"` puts WebGPU on SwiftShader, Chromium's
 * software Vulkan adapter, which needs no GPU: results are real, times say
 * nothing about GPUs. The page must be a secure context (https or localhost).
 */
export function chromiumWebGpuFlags(adapter: ChromiumAdapter, platform: string): string[] {
  const vulkan = platform === "linux" || adapter === "swiftshader" ? ["--enable-features=Vulkan"] : [];
  const software = adapter === "swiftshader" ? ["--use-vulkan=swiftshader", "--use-webgpu-adapter=swiftshader", "--use-angle=swiftshader"] : [];
  return ["--enable-unsafe-webgpu", ...vulkan, ...software];
}
