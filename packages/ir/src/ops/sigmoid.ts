import * as s from "../scalar-expr.js";
import { defineOp, elementwiseJvp, NoAttrs, nodeSchema, sameShape } from "./define.js";

/** Logistic sigmoid `1 / (1 + exp(-x))`. */
export const sigmoid = defineOp(nodeSchema("sigmoid", 1, NoAttrs), {
  shape: sameShape,
  // backprop through sigmoid: g * y * (1 - y)
  vjp: ({ b }, n, g) => [b.mul(g, b.mul(n.id, b.sub(b.scalar(1), n.id)))],
  jvp: (ctx, n) => elementwiseJvp(ctx, [ctx.b.mul(n.id, ctx.b.sub(ctx.b.scalar(1), n.id))]),
  elementwise: (x) => s.div(1, s.add(1, s.exp(s.neg(x)))),
  timeLinear: false,
  batch: "rowwise",
  doc: { group: "elementwise nonlinearities", inputs: "x", output: "x", gradient: "`g·y·(1 − y)`", tangent: "`ẋ·y(1 − y)`" },
});
