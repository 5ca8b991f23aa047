import { isForwardMethod, type GradientMethod } from "@unroll/bptt";
import type { TruncationOptions } from "./truncation-options.js";
import { UserError } from "./user-error.js";

/** The gradient-method options of grad and train. */
export interface MethodOptions extends TruncationOptions {
  /** bptt, rtrl or snap1. */
  readonly method: string;
  /** Time checkpointing interval (BPTT only). */
  readonly checkpoint?: string;
}

/** The parsed method. */
export interface Method {
  /** How gradients are computed. */
  readonly method: GradientMethod;
}

/** `--method bptt|rtrl|snap1`, rejecting the BPTT-only options with RTRL and SnAp-1. */
export function parseMethod(o: MethodOptions): Method {
  if (o.method !== "bptt" && !isForwardMethod(o.method as GradientMethod)) throw new UserError(`--method must be bptt, rtrl or snap1, got "${o.method}"`);
  const method = o.method as GradientMethod;
  if (isForwardMethod(method)) {
    const cut = o.truncate !== undefined ? "--truncate" : o.k1 !== undefined || o.k2 !== undefined ? "--k1/--k2" : undefined;
    if (cut) throw new UserError(`--method ${method} computes the gradient of the whole sequence as it goes, with no truncation: ${cut} does not apply`);
    if (o.checkpoint !== undefined) throw new UserError(`--checkpoint does not apply to --method ${method}, which keeps no history to recompute`);
  }
  return { method };
}
