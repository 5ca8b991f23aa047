import { type Shape } from "../shape.js";
import { defineOp, keptShape, nodeSchema, normalizeAxes } from "./define.js";
import { ReduceAttrs, reduceJvp } from "./reduce-attrs.js";

/** Sum over `axes` (all axes by default). */
export const sum = defineOp(nodeSchema("sum", 1, ReduceAttrs), {
  shape: ([x], n) => {
    const axes = normalizeAxes(n.attrs?.axes, x.length, "sum");
    return n.attrs?.keepDims ? keptShape(x, axes) : (x.filter((_, i) => !axes.includes(i)) as Shape);
  },
  vjp: ({ b, shape }, n, g) => {
    const x = n.inputs[0];
    const axes = normalizeAxes(n.attrs?.axes, shape(x).length, "sum");
    const kept = n.attrs?.keepDims ? g : b.reshape(g, keptShape(shape(x), axes));
    return [b.broadcastTo(kept, x)];
  },
  jvp: (ctx, n) => reduceJvp(ctx, n, "sum"),
  elementwise: undefined,
  timeLinear: true,
  batch: "rowwise",
  doc: {
    group: "reductions and their adjoints",
    inputs: "x",
    attrs: "`axes?` (default all, negative counts from the end), `keepDims?`",
    output: "x without (or with size 1 on) the axes",
    gradient: "`broadcastTo(g, x)`",
    tangent: "`sum(ẋ)` over the same axes",
  },
});
