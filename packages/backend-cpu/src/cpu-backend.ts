import { opKinds, type CheckedProgram } from "@unroll/ir";
import type { Backend, LoadedProgram, LoadOptions, WindowRequest, WindowResult } from "@unroll/bptt";
import { cpuKernels, type KernelTable } from "./kernels/index.js";
import { WindowRunner } from "./window-runner.js";

/** Options of {@link createCpuBackend}. */
export interface CpuBackendOptions {
  /** Kernel table to use instead of the reference kernels (e.g. a wrapped or faster one). */
  readonly kernels?: KernelTable;
}

/**
 * The CPU backend: runs programs in this thread with plain TypeScript kernels,
 * in float32 or float64. It is the readable reference that other backends are
 * checked against.
 */
export function createCpuBackend(options: CpuBackendOptions = {}): Backend {
  const kernels = options.kernels ?? cpuKernels;
  let disposed = false;
  return {
    name: "cpu",
    capabilities: { dtypes: ["float32", "float64"], ops: opKinds },
    async load(program: CheckedProgram, { dtype }: LoadOptions): Promise<LoadedProgram> {
      if (disposed) throw new Error("the cpu backend has been disposed");
      if (dtype !== "float32" && dtype !== "float64") throw new Error(`the cpu backend supports float32 and float64, not ${JSON.stringify(dtype)}`);
      const runner = new WindowRunner(program, kernels, dtype);
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
