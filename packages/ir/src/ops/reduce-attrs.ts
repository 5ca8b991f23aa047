import { z } from "zod";
import { directionAxis, normalizeAxes, type JvpContext } from "./define.js";
import { moveAxis, tangentAxis } from "./tangent-layout.js";

/** Attributes of the reductions `sum` and `mean`: axes (default all, negative counts from the end) and keepDims. */
export const ReduceAttrs = z
  .object({
    /** Axes to reduce; all by default. */
    axes: z.array(z.number().int()).optional(),
    /** Keep reduced axes as size 1. */
    keepDims: z.boolean().optional(),
  })
  .strict()
  .optional();

/** A node of a reduction: `sum` or `mean`. */
interface ReduceNode {
  /** Its id. */
  id: string;
  /** Its one input. */
  inputs: string[];
  /** Its axes and keepDims. */
  attrs?: z.infer<typeof ReduceAttrs>;
}

/** The tangent of a reduction: the same reduction of the tangent, over the tangent's axes, with its directions put back in place. */
export function reduceJvp({ b, shape, tangent }: JvpContext, n: ReduceNode, op: "sum" | "mean"): string {
  const x = shape(n.inputs[0]);
  const axes = normalizeAxes(n.attrs?.axes, x.length, op);
  const keepDims = n.attrs?.keepDims ?? false;
  const at = directionAxis(x);
  const reduced = b[op](tangent(0), { axes: axes.map((a) => tangentAxis(a, x)), keepDims });
  // the direction axis moves left by the reduced axes before it, unless they are kept
  const now = keepDims ? at : at - axes.filter((a) => a < at).length;
  return moveAxis(b, shape, reduced, now, directionAxis(shape(n.id)));
}
