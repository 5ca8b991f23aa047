import * as s from "../scalar-expr.js";
import { defineOp, elementwiseJvp, NoAttrs, nodeSchema, sameShape } from "./define.js";

/** Hyperbolic tangent. */
export const tanh = defineOp(nodeSchema("tanh", 1, NoAttrs), {
  shape: sameShape,
  // backprop through tanh: g * (1 - y^2)
  vjp: ({ b }, n, g) => [b.mul(g, b.sub(b.scalar(1), b.mul(n.id, n.id)))],
  jvp: (ctx, n) => elementwiseJvp(ctx, [ctx.b.sub(ctx.b.scalar(1), ctx.b.mul(n.id, n.id))]),
  elementwise: (x) => s.tanh(x),
  timeLinear: false,
  batch: "rowwise",
  doc: { group: "elementwise nonlinearities", inputs: "x", output: "x", gradient: "`g·(1 − y²)`", tangent: "`ẋ·(1 − y²)`" },
});
