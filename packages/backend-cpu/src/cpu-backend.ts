import { opKinds, type CheckedProgram } from "@unroll/ir";
import type { Backend, LoadedProgram, LoadOptions, WindowRequest, WindowResult } from "@unroll/bptt";
import { createGemm } from "@unroll/kernels-wasm";
import { cpuKernels, type KernelTable } from "./kernels/index.js";
import { wasmMatmul } from "./kernels/wasm-matmul.js";
import { WindowRunner } from "./window-runner.js";

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
 * The CPU backend: runs programs in this thread, in float32 or float64, with
 * the TypeScript reference kernels and a WebAssembly SIMD matrix product for
 * float32 ({@link fastKernels}). With `kernels: cpuKernels` it is the readable
 * reference that other backends are checked against.
 */
export function createCpuBackend(options: CpuBackendOptions = {}): Backend {
  const kernels = options.kernels ?? fastKernels();
  let disposed = false;
  return {
    name: "cpu",
    capabilities: { dtypes: ["float32", "float64"], ops: opKinds },
    async load(program: CheckedProgram, { dtype }: LoadOptions): Promise<LoadedProgram> {
      if (disposed) throw new Error("the cpu backend has been disposed");
      if (dtype !== "float32" && dtype !== "float64") throw new Error(`the cpu backend supports float32 and float64, not ${JSON.stringify(dtype)}`);
      const runner = new WindowRunner(program, kernels, dtype, undefined, options.fuse ?? options.kernels === undefined);
      return {
        async runWindow(request: WindowRequest): Promise<WindowResult> {
          if (disposed) throw new Error("the cpu backend has been disposed");
          return runner.run(request);
        },
        async dispose() {},
      };
    },
    async dispose() {
      disposed = true;
    },
  };
}
