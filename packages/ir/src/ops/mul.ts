import { broadcastRule, defineOp, NoAttrs, nodeSchema, unbroadcast } from "./define.js";

/** `a * b`, elementwise with broadcasting. */
export const mul = defineOp(nodeSchema("mul", 2, NoAttrs), {
  shape: broadcastRule("mul"),
  vjp: ({ b, ...ctx }, n, g) => {
    const [x, y] = n.inputs;
    return [unbroadcast({ b, ...ctx }, b.mul(g, y), x), unbroadcast({ b, ...ctx }, b.mul(g, x), y)];
  },
});
