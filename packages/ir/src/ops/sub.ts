import { broadcastRule, defineOp, NoAttrs, nodeSchema, unbroadcast } from "./define.js";

/** `a - b`, elementwise with broadcasting. */
export const sub = defineOp(nodeSchema("sub", 2, NoAttrs), {
  shape: broadcastRule("sub"),
  vjp: (ctx, n, g) => [unbroadcast(ctx, g, n.inputs[0]), unbroadcast(ctx, ctx.b.neg(g), n.inputs[1])],
});
