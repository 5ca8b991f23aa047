import * as s from "../scalar-expr.js";
import { defineOp, NoAttrs, nodeSchema, sameShape } from "./define.js";

/** `-x`. */
export const neg = defineOp(nodeSchema("neg", 1, NoAttrs), {
  shape: sameShape,
  vjp: ({ b }, _n, g) => [b.neg(g)],
  jvp: (ctx) => (ctx.has(0) ? ctx.b.neg(ctx.along(0)) : null),
  elementwise: (x) => s.neg(x),
  timeLinear: true,
  batch: "rowwise",
  doc: { group: "elementwise arithmetic", inputs: "x", output: "x", gradient: "`−g`", tangent: "`−ẋ`" },
});
