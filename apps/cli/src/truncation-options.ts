import type { Truncation } from "@unroll/bptt";
import { positiveInteger } from "./positive-integer.js";
import { UserError } from "./user-error.js";

/** The truncation options of grad and train. */
export interface TruncationOptions {
  /** Chunked window. */
  readonly truncate?: string;
  /** BPTT(k1, k2): steps between updates. */
  readonly k1?: string;
  /** BPTT(k1, k2): backprop span. */
  readonly k2?: string;
}

/** `--truncate K` or `--k1 A --k2 B`, or full BPTT. */
export function parseTruncation(o: TruncationOptions): Truncation {
  if (o.truncate !== undefined && (o.k1 !== undefined || o.k2 !== undefined)) throw new UserError("give either --truncate K or --k1 A --k2 B, not both");
  if (o.truncate !== undefined) return { kind: "chunked", window: positiveInteger("--truncate", o.truncate) };
  if ((o.k1 === undefined) !== (o.k2 === undefined)) throw new UserError("--k1 and --k2 go together");
  if (o.k1 !== undefined) {
    const k1 = positiveInteger("--k1", o.k1);
    const k2 = positiveInteger("--k2", o.k2!);
    if (k2 < k1) throw new UserError(`--k2 (${k2}) must be at least --k1 (${k1}): each update backpropagates its k1 loss steps through the last k2 steps`);
    return { kind: "k1k2", k1, k2 };
  }
  return { kind: "full" };
}
