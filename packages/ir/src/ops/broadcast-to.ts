import { ShapeError } from "../errors.js";
import { broadcastShapes, formatShape, shapesEqual } from "../shape.js";
import { defineOp, NoAttrs, nodeSchema } from "./define.js";

/** Broadcasts its first input to the shape of its second (whose values are not read). */
export const broadcastTo = defineOp(nodeSchema("broadcastTo", 2, NoAttrs), {
  shape: ([x, like]) => {
    const out = broadcastShapes(x, like);
    if (!out || !shapesEqual(out, like)) {
      throw new ShapeError(`broadcastTo: ${formatShape(x)} does not broadcast to ${formatShape(like)}`);
    }
    return like;
  },
  vjp: ({ b }, n, g) => [b.sumTo(g, n.inputs[0]), null],
  jvp: (ctx) => (ctx.has(0) ? ctx.along(0) : null),
  elementwise: undefined,
  // linear in x; `like` only lends its shape
  timeLinear: true,
  batch: "rowwise",
  doc: {
    group: "reductions and their adjoints",
    inputs: "x, like",
    output: "`like` (x must broadcast to it)",
    gradient: "`sumTo(g, x)`; none for `like`",
    tangent: "`broadcastTo(ẋ, like)`",
  },
});
