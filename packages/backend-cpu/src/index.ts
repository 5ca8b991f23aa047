/**
 * `@unroll/backend-cpu`: the reference backend, plain TypeScript kernels on
 * typed arrays, float32 and float64.
 * @packageDocumentation
 */
export { createCpuBackend, fastKernels, type CpuBackendOptions } from "./cpu-backend.js";
export { cpuKernels, type Kernel, type KernelTable } from "./kernels/index.js";
export { GraphRunner } from "./graph-runner.js";
export { NodeRunner, type RunSite } from "./node-runner.js";
export { ScanRunner, type ScanArgs, type ScanResult } from "./scan-runner.js";
export { WindowRunner } from "./window-runner.js";
