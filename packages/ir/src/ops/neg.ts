import { defineOp, NoAttrs, nodeSchema, sameShape } from "./define.js";

/** `-x`. */
export const neg = defineOp(nodeSchema("neg", 1, NoAttrs), {
  shape: sameShape,
  vjp: ({ b }, _n, g) => [b.neg(g)],
});
