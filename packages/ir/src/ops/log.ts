import * as s from "../scalar-expr.js";
import { defineOp, NoAttrs, nodeSchema, sameShape } from "./define.js";

/** Natural logarithm. */
export const log = defineOp(nodeSchema("log", 1, NoAttrs), {
  shape: sameShape,
  vjp: ({ b }, n, g) => [b.div(g, n.inputs[0])],
  jvp: (ctx, n) => (ctx.has(0) ? ctx.b.div(ctx.along(0), ctx.lift(n.inputs[0])) : null),
  elementwise: (x) => s.log(x),
  timeLinear: false,
  batch: "rowwise",
  doc: { group: "elementwise nonlinearities", inputs: "x", output: "x", gradient: "`g/x`", tangent: "`ẋ/x`" },
});
