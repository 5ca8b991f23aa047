import { defineOp, lastDim, NoAttrs, nodeSchema } from "./define.js";

/** Log-softmax over the last axis, computed stably (log-sum-exp with max subtracted). */
export const logSoftmax = defineOp(nodeSchema("logSoftmax", 1, NoAttrs), {
  shape: ([x]) => (lastDim(x, "logSoftmax"), x),
  // g - softmax(x) * sum(g)
  vjp: ({ b }, n, g) => [b.sub(g, b.mul(b.exp(n.id), b.sum(g, { axes: [-1], keepDims: true })))],
  jvp: ({ b, along, lift }, n) => ((t) => b.sub(t, b.sum(b.mul(lift(b.exp(n.id)), t), { axes: [-1], keepDims: true })))(along(0)),
  elementwise: undefined,
  timeLinear: false,
  batch: "rowwise",
  doc: {
    group: "last-axis normalizations",
    inputs: "x",
    output: "x (stable log-sum-exp)",
    gradient: "`g − exp(y)·Σ_last g`",
    tangent: "`ẋ − Σ_last exp(y)·ẋ`",
  },
});
