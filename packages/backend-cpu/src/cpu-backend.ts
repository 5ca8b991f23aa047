import { deviceBackend, type Backend } from "@unroll/bptt";
import { createGemm } from "@unroll/kernels-wasm";
import { cpuDevice } from "./cpu-device.js";
import { cpuKernels, type KernelTable } from "@unroll/kernels-cpu";
import { wasmMatmul } from "./wasm-matmul.js";

/** Options of {@link createCpuBackend}. */
export interface CpuBackendOptions {
  /** Kernel table to use instead of {@link fastKernels} (e.g. the plain reference `cpuKernels`, or a wrapped table). */
  readonly kernels?: KernelTable;
  /**
   * Run chains of elementwise nodes as single compiled loops instead of one
   * kernel call each. Default: on with the built-in kernels, off with `kernels`
   * (fusion would bypass the table's elementwise kernels).
   */
  readonly fuse?: boolean;
}

/**
 * The CPU kernel table with float32 matrix products on a WebAssembly SIMD GEMM
 * (one instance, and so one WebAssembly memory, per call). Everything else, and
 * all float64 work, runs the plain TypeScript reference kernels.
 */
export function fastKernels(): KernelTable {
  return { ...cpuKernels, matmul: wasmMatmul(createGemm(), cpuKernels.matmul) };
}

/**
 * The CPU backend: the {@link cpuDevice} under the shared executor, in float32
 * or float64, with the TypeScript reference kernels and a WebAssembly SIMD
 * matrix product for float32 ({@link fastKernels}). With `kernels: cpuKernels`
 * it is the readable reference that other backends are checked against.
 */
export function createCpuBackend(options: CpuBackendOptions = {}): Backend {
  return deviceBackend(cpuDevice({ kernels: options.kernels ?? fastKernels(), fuse: options.fuse ?? options.kernels === undefined }));
}
