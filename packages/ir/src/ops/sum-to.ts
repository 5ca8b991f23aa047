import { ShapeError } from "../errors.js";
import { broadcastShapes, formatShape, shapesEqual } from "../shape.js";
import { defineOp, NoAttrs, nodeSchema, tangentShape } from "./define.js";
import { tangentAxis } from "./tangent-layout.js";

/**
 * Sums its first input down to the shape of its second (whose values are not
 * read): the reverse of broadcasting, and the gradient of every broadcast.
 */
export const sumTo = defineOp(nodeSchema("sumTo", 2, NoAttrs), {
  shape: ([x, like]) => {
    const out = broadcastShapes(like, x);
    if (!out || !shapesEqual(out, x)) {
      throw new ShapeError(`sumTo: ${formatShape(x)} is not a broadcast of ${formatShape(like)}`);
    }
    return like;
  },
  vjp: ({ b }, n, g) => [b.broadcastTo(g, n.inputs[0]), null],
  jvp: ({ b, shape, has, tangent, directions }, n) => {
    if (!has(0)) return null;
    const [x, like] = n.inputs.map(shape);
    // the axes a broadcast from like to x added or stretched
    const extra = x.length - like.length;
    const axes = x.flatMap((d, i) => (i < extra || (like[i - extra] === 1 && d !== 1) ? [tangentAxis(i, x)] : []));
    const summed = axes.length ? b.sum(tangent(0), { axes, keepDims: true }) : tangent(0);
    return b.reshape(summed, tangentShape(like, directions));
  },
  elementwise: undefined,
  // linear in x; `like` only lends its shape
  timeLinear: true,
  batch: "rowwise",
  doc: {
    group: "reductions and their adjoints",
    inputs: "x, like",
    output: "`like` (x must be a broadcast of like)",
    gradient: "`broadcastTo(g, x)`; none for `like`",
    tangent: "`sumTo(ẋ, like)`",
  },
});
