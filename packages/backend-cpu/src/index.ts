/**
 * `@unroll/backend-cpu`: the reference backend, plain TypeScript kernels on
 * typed arrays, float32 and float64, as a device under the shared executor of
 * `@unroll/bptt`.
 *
 * Guides: [getting started](../../../docs/guides/getting-started.md), [writing a backend](../../../docs/guides/writing-a-backend.md) (this backend is its
 * reference device).
 * @packageDocumentation
 */
export { createCpuBackend, fastKernels, type CpuBackendOptions } from "./cpu-backend.js";
export { cpuDevice, type CpuDeviceOptions } from "./cpu-device.js";
export { cpuKernels, type Kernel, type KernelTable } from "@unroll/kernels-cpu";
export { GraphRunner } from "./graph-runner.js";
