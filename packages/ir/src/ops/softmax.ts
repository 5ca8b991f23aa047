import { defineOp, lastDim, NoAttrs, nodeSchema } from "./define.js";

/** Softmax over the last axis, computed stably (max subtracted). */
export const softmax = defineOp(nodeSchema("softmax", 1, NoAttrs), {
  shape: ([x]) => (lastDim(x, "softmax"), x),
  // y * (g - sum(g * y))
  vjp: ({ b }, n, g) => [b.mul(n.id, b.sub(g, b.sum(b.mul(g, n.id), { axes: [-1], keepDims: true })))],
  jvp: ({ b, along, lift }, n) => {
    // y·(ẋ − Σ_last y·ẋ)
    const t = along(0);
    const y = lift(n.id);
    return b.mul(y, b.sub(t, b.sum(b.mul(y, t), { axes: [-1], keepDims: true })));
  },
  elementwise: undefined,
  timeLinear: false,
  batch: "rowwise",
  doc: {
    group: "last-axis normalizations",
    inputs: "x",
    output: "x (stable: max subtracted)",
    gradient: "`y·(g − Σ_last(g·y))`",
    tangent: "`y·(ẋ − Σ_last y·ẋ)`",
  },
});
