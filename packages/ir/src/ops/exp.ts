import * as s from "../scalar-expr.js";
import { defineOp, elementwiseJvp, NoAttrs, nodeSchema, sameShape } from "./define.js";

/** `e^x`. */
export const exp = defineOp(nodeSchema("exp", 1, NoAttrs), {
  shape: sameShape,
  vjp: ({ b }, n, g) => [b.mul(g, n.id)],
  jvp: (ctx, n) => elementwiseJvp(ctx, [n.id]),
  elementwise: (x) => s.exp(x),
  timeLinear: false,
  batch: "rowwise",
  doc: { group: "elementwise nonlinearities", inputs: "x", output: "x", gradient: "`g·y`", tangent: "`ẋ·y`" },
});
