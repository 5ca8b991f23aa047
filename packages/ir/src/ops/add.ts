import { broadcastRule, defineOp, NoAttrs, nodeSchema, unbroadcast } from "./define.js";

/** `a + b`, elementwise with broadcasting. */
export const add = defineOp(nodeSchema("add", 2, NoAttrs), {
  shape: broadcastRule("add"),
  vjp: (ctx, n, g) => [unbroadcast(ctx, g, n.inputs[0]), unbroadcast(ctx, g, n.inputs[1])],
});
