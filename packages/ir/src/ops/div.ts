import * as s from "../scalar-expr.js";
import { broadcastRule, defineOp, elementwiseJvp, NoAttrs, nodeSchema, unbroadcast } from "./define.js";

/** `a / b`, elementwise with broadcasting. */
export const div = defineOp(nodeSchema("div", 2, NoAttrs), {
  shape: broadcastRule("div"),
  vjp: (ctx, n, g) => {
    const { b } = ctx;
    const [x, y] = n.inputs;
    // d(x/y)/dy = -(x/y)/y
    return [unbroadcast(ctx, b.div(g, y), x), unbroadcast(ctx, b.neg(b.div(b.mul(g, n.id), y)), y)];
  },
  jvp: (ctx, n) => elementwiseJvp(ctx, [ctx.b.div(ctx.b.scalar(1), n.inputs[1]), ctx.b.neg(ctx.b.div(n.id, n.inputs[1]))]),
  elementwise: (a, b) => s.div(a, b),
  // linear in a alone: a ratio of sums over time is not the sum of the ratios
  timeLinear: false,
  batch: "rowwise",
  doc: { group: "elementwise arithmetic", inputs: "a, b", output: "broadcast", gradient: "`g/b`, `−g·y/b` (unbroadcast)", tangent: "`ȧ/b − ḃ·y/b`" },
});
