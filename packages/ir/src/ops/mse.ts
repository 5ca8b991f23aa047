import { ShapeError } from "../errors.js";
import { formatShape, shapesEqual } from "../shape.js";
import { defineOp, lastDim, NoAttrs, nodeSchema } from "./define.js";

/**
 * Squared error per row: for predictions and targets `[B, O]`, the mean over
 * the O columns of `(pred - target)^2`, shape `[B]`. The scheduler averages rows
 * over batch and time, so the total is the mean over all elements (no 1/2 factor).
 */
export const mse = defineOp(nodeSchema("mse", 2, NoAttrs), {
  shape: ([p, t]) => {
    if (p.length !== 2 || !shapesEqual(p, t)) {
      throw new ShapeError(`mse: predictions ${formatShape(p)} and targets ${formatShape(t)} must both be [B, O]`);
    }
    return [p[0]];
  },
  vjp: ({ b, shape }, n, g) => {
    const [p, t] = n.inputs;
    const [rows] = shape(p);
    const width = lastDim(shape(p), "mse");
    // d/dp mean_j (p_j - t_j)^2 = 2 (p - t) / O; the rows are [B] or, for unbatched operands, a fixed size
    const dp = b.mul(b.mul(b.sub(p, t), b.scalar(2 / width)), b.reshape(g, [rows, 1]));
    return [dp, b.neg(dp)];
  },
  jvp: ({ b, shape, has, tangent, lift }, n) => {
    const [p, t] = n.inputs;
    // 2/O · Σ_O (p − t)·(ṗ − ṫ)
    const d = has(0) && has(1) ? b.sub(tangent(0), tangent(1)) : has(0) ? tangent(0) : b.neg(tangent(1));
    const diff = lift(b.sub(p, t), shape(p));
    return b.mul(b.sum(b.mul(diff, d), { axes: [-1] }), b.scalar(2 / lastDim(shape(p), "mse")));
  },
  elementwise: undefined,
  timeLinear: false,
  batch: "rowwise",
  doc: {
    group: "per-row losses",
    inputs: "pred, target (same shape `[R, O]`)",
    output: "`[R]`: mean over O of `(p − t)²`",
    gradient: "`dp = 2(p − t)/O · g`, `dt = −dp`",
    tangent: "`2/O · Σ_O (p − t)(ṗ − ṫ)`",
  },
});
