import * as s from "../scalar-expr.js";
import { defineOp, elementwiseJvp, NoAttrs, nodeSchema, sameShape } from "./define.js";

/** `1 / sqrt(x)`: the scale of a normalization (`layerNorm`), one op so that its gradient reads only y. */
export const rsqrt = defineOp(nodeSchema("rsqrt", 1, NoAttrs), {
  shape: sameShape,
  // d/dx x^(-1/2) = -x^(-3/2)/2 = -y³/2
  vjp: ({ b }, n, g) => [b.mul(g, b.mul(b.scalar(-0.5), b.mul(n.id, b.mul(n.id, n.id))))],
  jvp: (ctx, n) => elementwiseJvp(ctx, [ctx.b.mul(ctx.b.scalar(-0.5), ctx.b.mul(n.id, ctx.b.mul(n.id, n.id)))]),
  elementwise: (x) => s.div(1, s.sqrt(x)),
  timeLinear: false,
  batch: "rowwise",
  doc: { group: "elementwise nonlinearities", inputs: "x", output: "x", gradient: "`−g·y³/2`", tangent: "`−ẋ·y³/2`" },
});
