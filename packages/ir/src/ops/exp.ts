import { defineOp, NoAttrs, nodeSchema, sameShape } from "./define.js";

/** `e^x`. */
export const exp = defineOp(nodeSchema("exp", 1, NoAttrs), {
  shape: sameShape,
  vjp: ({ b }, n, g) => [b.mul(g, n.id)],
});
