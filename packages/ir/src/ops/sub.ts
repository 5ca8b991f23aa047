import * as s from "../scalar-expr.js";
import { broadcastRule, defineOp, elementwiseJvp, NoAttrs, nodeSchema, unbroadcast } from "./define.js";

/** `a - b`, elementwise with broadcasting. */
export const sub = defineOp(nodeSchema("sub", 2, NoAttrs), {
  shape: broadcastRule("sub"),
  vjp: (ctx, n, g) => [unbroadcast(ctx, g, n.inputs[0]), unbroadcast(ctx, ctx.b.neg(g), n.inputs[1])],
  jvp: (ctx) => elementwiseJvp(ctx, [undefined, ctx.b.scalar(-1)]),
  elementwise: (a, b) => s.sub(a, b),
  timeLinear: true,
  batch: "rowwise",
  doc: { group: "elementwise arithmetic", inputs: "a, b", output: "broadcast", gradient: "`g`, `−g` (unbroadcast)", tangent: "`ȧ − ḃ`" },
});
