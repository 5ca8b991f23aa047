import type { CheckedProgram } from "@unroll/ir";
import type { Backend, LoadedProgram, LoadOptions } from "./backend.js";
import type { Device } from "./device.js";
import { WindowExecutor } from "./executor/window-executor.js";
import { opsOfWindows } from "./program/ops-of-windows.js";
import { checkRtrlProgram } from "./rtrl-memory.js";
import { isForwardMethod, type WindowRequest, type WindowResult } from "./window.js";

/**
 * A {@link Backend} made of a {@link Device}: the shared executor runs every
 * window program (full and truncated BPTT, masks, checkpointing, NaN location)
 * with the device's memory and kernels, so a device gets training with no code
 * of its own about time. A window is one `runWindow` call, in the caller's
 * thread or wherever the device's owner runs it (a worker runs one of these
 * per window).
 */
export function deviceBackend<Buf>(device: Device<Buf>): Backend {
  let disposed = false;
  const { name, capabilities } = device;
  const alive = (): void => {
    if (disposed) throw new Error(`the ${name} backend has been disposed`);
  };
  return {
    name,
    capabilities,
    async load(program: CheckedProgram, { dtype, memoryBudget }: LoadOptions): Promise<LoadedProgram> {
      alive();
      if (!capabilities.dtypes.includes(dtype)) {
        throw new Error(`the ${name} backend supports ${capabilities.dtypes.join(" and ")}, not ${JSON.stringify(dtype)}`);
      }
      const executor = new WindowExecutor(device, program, dtype, memoryBudget !== undefined ? { memoryBudget } : {});
      const declared = new Set(capabilities.ops);
      const missing = [...opsOfWindows(executor.compiler, capabilities.gradients !== false)].filter((op) => !declared.has(op)).sort();
      if (missing.length) throw new Error(`the ${name} backend has no kernel for ${missing.map((op) => `"${op}"`).join(", ")}, which the program uses`);
      // RTRL's graph (built on its first request) may use ops its BPTT graphs do not
      const rtrlChecked = new Set<string>();
      return {
        async runWindow(request: WindowRequest): Promise<WindowResult> {
          alive();
          if (request.gradients && capabilities.gradients === false)
            throw new Error(`the ${name} backend is forward-only (capabilities.gradients is false): it cannot compute gradients`);
          const masked = request.mask !== undefined;
          if (request.gradients && isForwardMethod(request.method) && !rtrlChecked.has(`${request.method}:${masked}`)) {
            checkRtrlProgram(program);
            const ops = new Set(executor.compiler.rtrl(masked, request.method).scan.graph.order.map((n) => n.op));
            const lacking = [...ops].filter((op) => !declared.has(op)).sort();
            if (lacking.length)
              throw new Error(`the ${name} backend has no kernel for ${lacking.map((op) => `"${op}"`).join(", ")}, which ${request.method} uses`);
            rtrlChecked.add(`${request.method}:${masked}`);
          }
          return executor.run(request);
        },
        async dispose() {
          executor.dispose();
        },
      };
    },
    async dispose() {
      disposed = true;
    },
  };
}
