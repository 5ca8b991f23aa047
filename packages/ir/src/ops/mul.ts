import * as s from "../scalar-expr.js";
import { broadcastRule, defineOp, elementwiseJvp, NoAttrs, nodeSchema, unbroadcast } from "./define.js";

/** `a * b`, elementwise with broadcasting. */
export const mul = defineOp(nodeSchema("mul", 2, NoAttrs), {
  shape: broadcastRule("mul"),
  vjp: ({ b, ...ctx }, n, g) => {
    const [x, y] = n.inputs;
    return [unbroadcast({ b, ...ctx }, b.mul(g, y), x), unbroadcast({ b, ...ctx }, b.mul(g, x), y)];
  },
  jvp: (ctx, n) => elementwiseJvp(ctx, [n.inputs[1], n.inputs[0]]),
  elementwise: (a, b) => s.mul(a, b),
  // bilinear, not linear: the product of two sums over time is not the sum of the products
  timeLinear: false,
  batch: "rowwise",
  doc: { group: "elementwise arithmetic", inputs: "a, b", output: "broadcast", gradient: "`g·b`, `g·a` (unbroadcast)", tangent: "`ȧ·b + a·ḃ`" },
});
