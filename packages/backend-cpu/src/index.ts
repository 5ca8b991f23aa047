/**
 * `@unroll/backend-cpu`: the reference backend, plain TypeScript kernels on
 * typed arrays, float32 and float64.
 * @packageDocumentation
 */
export { createCpuBackend, type CpuBackendOptions } from "./cpu-backend.js";
export { cpuKernels, type Kernel, type KernelTable } from "./kernels/index.js";
export { GraphRunner, type RunSite } from "./graph-runner.js";
export { WindowRunner } from "./window-runner.js";
