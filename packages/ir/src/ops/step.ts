import { defineOp, NoAttrs, nodeSchema, sameShape } from "./define.js";

/** Heaviside step: 1 where `x > 0`, else 0. Its gradient is zero almost everywhere. */
export const step = defineOp(nodeSchema("step", 1, NoAttrs), {
  shape: sameShape,
  vjp: () => [null],
});
