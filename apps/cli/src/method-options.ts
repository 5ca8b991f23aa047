import { isForwardMethod, type GradientMethod } from "@unroll/bptt";
import type { TruncationOptions } from "./truncation-options.js";
import { UserError } from "./user-error.js";

/** The gradient-method options of grad and train. */
export interface MethodOptions extends TruncationOptions {
  /** bptt, rtrl or snap1. */
  readonly method: string;
  /** Memory RTRL may use, in MiB. */
  readonly maxMemory?: string;
  /** Time checkpointing interval (BPTT only). */
  readonly checkpoint?: string;
}

/** The parsed method and its memory budget in bytes. */
export interface Method {
  /** How gradients are computed. */
  readonly method: GradientMethod;
  /** Bytes RTRL may use, if given. */
  readonly memoryBudget?: number;
}

/** `--method bptt|rtrl` and `--max-memory MiB`, rejecting the BPTT-only options with RTRL. */
export function parseMethod(o: MethodOptions): Method {
  if (o.method !== "bptt" && !isForwardMethod(o.method as GradientMethod)) throw new UserError(`--method must be bptt, rtrl or snap1, got "${o.method}"`);
  const method = o.method as GradientMethod;
  let memoryBudget: number | undefined;
  if (o.maxMemory !== undefined) {
    const mib = Number(o.maxMemory);
    if (!(Number.isFinite(mib) && mib > 0)) throw new UserError(`--max-memory must be a positive number of MiB, got "${o.maxMemory}"`);
    memoryBudget = mib * 2 ** 20;
  }
  if (isForwardMethod(method)) {
    const cut = o.truncate !== undefined ? "--truncate" : o.k1 !== undefined || o.k2 !== undefined ? "--k1/--k2" : undefined;
    if (cut) throw new UserError(`--method ${method} computes the gradient of the whole sequence as it goes, with no truncation: ${cut} does not apply`);
    if (o.checkpoint !== undefined) throw new UserError(`--checkpoint does not apply to --method ${method}, which keeps no history to recompute`);
  } else if (memoryBudget !== undefined) {
    throw new UserError("--max-memory applies to --method rtrl and snap1 (BPTT's memory is planned by unroll plan)");
  }
  return { method, ...(memoryBudget !== undefined ? { memoryBudget } : {}) };
}
