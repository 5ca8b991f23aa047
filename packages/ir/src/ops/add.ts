import * as s from "../scalar-expr.js";
import { broadcastRule, defineOp, elementwiseJvp, NoAttrs, nodeSchema, unbroadcast } from "./define.js";

/** `a + b`, elementwise with broadcasting. */
export const add = defineOp(nodeSchema("add", 2, NoAttrs), {
  shape: broadcastRule("add"),
  vjp: (ctx, n, g) => [unbroadcast(ctx, g, n.inputs[0]), unbroadcast(ctx, g, n.inputs[1])],
  jvp: (ctx) => elementwiseJvp(ctx, [undefined, undefined]),
  elementwise: (a, b) => s.add(a, b),
  timeLinear: true,
  batch: "rowwise",
  doc: { group: "elementwise arithmetic", inputs: "a, b", output: "broadcast of a, b", gradient: "`g`, `g` (unbroadcast)", tangent: "`ȧ + ḃ`" },
});
