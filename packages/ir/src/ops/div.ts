import { broadcastRule, defineOp, NoAttrs, nodeSchema, unbroadcast } from "./define.js";

/** `a / b`, elementwise with broadcasting. */
export const div = defineOp(nodeSchema("div", 2, NoAttrs), {
  shape: broadcastRule("div"),
  vjp: (ctx, n, g) => {
    const { b } = ctx;
    const [x, y] = n.inputs;
    // d(x/y)/dy = -(x/y)/y
    return [unbroadcast(ctx, b.div(g, y), x), unbroadcast(ctx, b.neg(b.div(b.mul(g, n.id), y)), y)];
  },
});
