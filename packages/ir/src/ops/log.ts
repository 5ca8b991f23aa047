import { defineOp, NoAttrs, nodeSchema, sameShape } from "./define.js";

/** Natural logarithm. */
export const log = defineOp(nodeSchema("log", 1, NoAttrs), {
  shape: sameShape,
  vjp: ({ b }, n, g) => [b.div(g, n.inputs[0])],
});
