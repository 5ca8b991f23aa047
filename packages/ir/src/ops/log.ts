import * as s from "../scalar-expr.js";
import { defineOp, NoAttrs, nodeSchema, sameShape } from "./define.js";

/** Natural logarithm. */
export const log = defineOp(nodeSchema("log", 1, NoAttrs), {
  shape: sameShape,
  vjp: ({ b }, n, g) => [b.div(g, n.inputs[0])],
  elementwise: (x) => s.log(x),
  timeLinear: false,
  batch: "rowwise",
  doc: { group: "elementwise nonlinearities", inputs: "x", output: "x", gradient: "`g/x`" },
});
