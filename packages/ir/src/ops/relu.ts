import * as s from "../scalar-expr.js";
import { defineOp, elementwiseJvp, NoAttrs, nodeSchema, sameShape } from "./define.js";

/** `max(x, 0)`. */
export const relu = defineOp(nodeSchema("relu", 1, NoAttrs), {
  shape: sameShape,
  // the subgradient at 0 is 0, as in PyTorch
  vjp: ({ b }, n, g) => [b.mul(g, b.step(n.inputs[0]))],
  jvp: (ctx, n) => elementwiseJvp(ctx, [ctx.b.step(n.inputs[0])]),
  elementwise: (x) => s.max(x, 0),
  timeLinear: false,
  batch: "rowwise",
  doc: { group: "elementwise nonlinearities", inputs: "x", output: "x", gradient: "`g·step(x)` (0 at x = 0, as in PyTorch)", tangent: "`ẋ·step(x)`" },
});
