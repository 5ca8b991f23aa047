import { defineOp, NoAttrs, nodeSchema, sameShape } from "./define.js";

/** Passes its input through; useful to name a value or to expose a carry as an output. */
export const identity = defineOp(nodeSchema("identity", 1, NoAttrs), {
  shape: sameShape,
  vjp: (_ctx, _n, g) => [g],
  jvp: (ctx) => (ctx.has(0) ? ctx.along(0) : null),
  elementwise: (x) => x,
  timeLinear: true,
  batch: "rowwise",
  doc: { group: "sources and plumbing", inputs: "x", output: "x", gradient: "`g`", tangent: "`ẋ`" },
});
