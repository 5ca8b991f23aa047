import { type Shape } from "../shape.js";
import { defineOp, keptShape, nodeSchema, normalizeAxes } from "./define.js";
import { ReduceAttrs, reduceJvp } from "./reduce-attrs.js";

/** Mean over `axes` (all axes by default). */
export const mean = defineOp(nodeSchema("mean", 1, ReduceAttrs), {
  shape: ([x], n) => {
    const axes = normalizeAxes(n.attrs?.axes, x.length, "mean");
    return n.attrs?.keepDims ? keptShape(x, axes) : (x.filter((_, i) => !axes.includes(i)) as Shape);
  },
  vjp: ({ b, shape }, n, g) => {
    const x = n.inputs[0];
    const axes = normalizeAxes(n.attrs?.axes, shape(x).length, "mean");
    const kept = n.attrs?.keepDims ? g : b.reshape(g, keptShape(shape(x), axes));
    // the count may include the batch axis, so it is computed at run time
    return [b.div(b.broadcastTo(kept, x), b.countOf(x, axes))];
  },
  jvp: (ctx, n) => reduceJvp(ctx, n, "mean"),
  elementwise: undefined,
  // the divisor is x's element count, the same for a sum over steps as for one step
  timeLinear: true,
  batch: "rowwise",
  doc: {
    group: "reductions and their adjoints",
    inputs: "x",
    attrs: "as `sum`",
    output: "as `sum`",
    gradient: "`broadcastTo(g, x) / countOf(x, axes)`",
    tangent: "`mean(ẋ)` over the same axes",
  },
});
