import * as s from "../scalar-expr.js";
import { defineOp, NoAttrs, nodeSchema, sameShape } from "./define.js";

/** Heaviside step: 1 where `x > 0`, else 0. Its gradient is zero almost everywhere. */
export const step = defineOp(nodeSchema("step", 1, NoAttrs), {
  shape: sameShape,
  vjp: () => [null],
  jvp: () => null,
  elementwise: (x) => s.gt(x, 0),
  timeLinear: false,
  batch: "rowwise",
  doc: {
    group: "elementwise nonlinearities",
    inputs: "x",
    output: "x: 1 where x > 0, else 0",
    gradient: "none (zero almost everywhere)",
    tangent: "none (zero almost everywhere)",
  },
});
