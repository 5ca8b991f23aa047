import type { OpKind } from "@unroll/ir";
import { awayFromZero, classIds, positive, wide } from "../support/tensors.js";
import type { ForwardCase } from "./forward-case.js";

/**
 * Forward cases for every op: tiny step graphs whose batched operands are xs
 * `["B", ...]` and unbatched ones params, covering each broadcast layout and
 * attribute. The type makes a missing op a compile error, and the suite also fails
 * at run time for an op of `opKinds` without a case: a new op needs a case here.
 */
export const forwardCases: { readonly [K in OpKind]: readonly ForwardCase[] } = {
  // linear algebra
  matmul: [
    { name: "x[B,3] · W[3,4]", build: ({ b, x, p }) => b.matmul(x("x", ["B", 3]), p("W", [3, 4])) },
    { name: "x[B,3] · W[4,3]ᵀ", build: ({ b, x, p }) => b.matmul(x("x", ["B", 3]), p("W", [4, 3]), { transposeB: true }) },
    { name: "W[2,3] · x[B,3]ᵀ", build: ({ b, x, p }) => b.matmul(p("W", [2, 3]), x("x", ["B", 3]), { transposeB: true }) },
    { name: "x[B,3]ᵀ · y[B,4]", build: ({ b, x }) => b.matmul(x("x", ["B", 3]), x("y", ["B", 4]), { transposeA: true }) },
    { name: "W[3,2]ᵀ · V[4,3]ᵀ", build: ({ b, p }) => b.matmul(p("W", [3, 2]), p("V", [4, 3]), { transposeA: true, transposeB: true }) },
  ],
  // elementwise arithmetic (NumPy broadcasting)
  add: [
    { name: "[B,3] + [B,3]", build: ({ b, x }) => b.add(x("x", ["B", 3]), x("y", ["B", 3])) },
    { name: "[B,3] + [3]", build: ({ b, x, p }) => b.add(x("x", ["B", 3]), p("c", [3])) },
    { name: "[3] + [B,3]", build: ({ b, x, p }) => b.add(p("c", [3]), x("x", ["B", 3])) },
    { name: "[B,3] + [B,1]", build: ({ b, x }) => b.add(x("x", ["B", 3]), x("y", ["B", 1])) },
    { name: "[B,2,3] + [2,1]", build: ({ b, x, p }) => b.add(x("x", ["B", 2, 3]), p("c", [2, 1])) },
    { name: "[B,3] + scalar", build: ({ b, x, p }) => b.add(x("x", ["B", 3]), p("c", [])) },
  ],
  sub: [
    { name: "[B,3] - [3]", build: ({ b, x, p }) => b.sub(x("x", ["B", 3]), p("c", [3])) },
    { name: "[B,1] - [B,3]", build: ({ b, x }) => b.sub(x("y", ["B", 1]), x("x", ["B", 3])) },
    { name: "[B,2,3] - [2,1]", build: ({ b, x, p }) => b.sub(x("x", ["B", 2, 3]), p("c", [2, 1])) },
  ],
  mul: [
    { name: "[B,3] * [B,1]", build: ({ b, x }) => b.mul(x("x", ["B", 3]), x("y", ["B", 1])) },
    { name: "[B,1,3] * [2,1]", build: ({ b, x, p }) => b.mul(x("x", ["B", 1, 3]), p("c", [2, 1])) },
    { name: "scalar * [B,3]", build: ({ b, x, p }) => b.mul(p("c", []), x("x", ["B", 3])) },
  ],
  div: [
    { name: "[B,3] / [B,1]", build: ({ b, x }) => b.div(x("x", ["B", 3]), x("y", ["B", 1], awayFromZero)) },
    { name: "[3] / [B,3]", build: ({ b, x, p }) => b.div(p("c", [3]), x("x", ["B", 3], awayFromZero)) },
    { name: "[B,2,3] / [2,1]", build: ({ b, x, p }) => b.div(x("x", ["B", 2, 3]), p("c", [2, 1], awayFromZero)) },
  ],
  neg: [{ name: "[B,3]", build: ({ b, x }) => b.neg(x("x", ["B", 3])) }],
  // elementwise nonlinearities
  tanh: [
    { name: "[B,3]", build: ({ b, x }) => b.tanh(x("x", ["B", 3])) },
    { name: "[B,4] in [-20, 20) (saturation)", build: ({ b, x }) => b.tanh(x("x", ["B", 4], wide(20))) },
  ],
  sigmoid: [
    { name: "[B,3]", build: ({ b, x }) => b.sigmoid(x("x", ["B", 3])) },
    { name: "[B,4] in [-30, 30) (saturation)", build: ({ b, x }) => b.sigmoid(x("x", ["B", 4], wide(30))) },
  ],
  relu: [{ name: "[B,4] both signs", build: ({ b, x }) => b.relu(x("x", ["B", 4], awayFromZero)) }],
  step: [{ name: "[B,4] both signs", build: ({ b, x }) => b.step(x("x", ["B", 4], awayFromZero)) }],
  exp: [
    { name: "[B,3]", build: ({ b, x }) => b.exp(x("x", ["B", 3])) },
    { name: "[B,4] in [-20, 20)", build: ({ b, x }) => b.exp(x("x", ["B", 4], wide(20))) },
  ],
  log: [{ name: "[B,3] positive", build: ({ b, x }) => b.log(x("x", ["B", 3], positive)) }],
  // last-axis normalizations
  softmax: [
    { name: "[B,4]", build: ({ b, x }) => b.softmax(x("x", ["B", 4])) },
    { name: "[B,2,3]", build: ({ b, x }) => b.softmax(x("x", ["B", 2, 3])) },
    { name: "[B,4] logits in [-50, 50) (stability)", build: ({ b, x }) => b.softmax(x("x", ["B", 4], wide(50))) },
  ],
  logSoftmax: [
    { name: "[B,4]", build: ({ b, x }) => b.logSoftmax(x("x", ["B", 4])) },
    { name: "[B,2,3]", build: ({ b, x }) => b.logSoftmax(x("x", ["B", 2, 3])) },
    { name: "[B,4] logits in [-50, 50) (stability)", build: ({ b, x }) => b.logSoftmax(x("x", ["B", 4], wide(50))) },
  ],
  // last-axis layout
  concat: [
    { name: "[B,2] ++ [B,1] ++ [B,3]", build: ({ b, x }) => b.concat(x("x", ["B", 2]), x("y", ["B", 1]), x("z", ["B", 3])) },
    { name: "[B,2,1] ++ [B,2,2]", build: ({ b, x }) => b.concat(x("x", ["B", 2, 1]), x("y", ["B", 2, 2])) },
  ],
  slice: [
    { name: "[B,5][1:4]", build: ({ b, x }) => b.slice(x("x", ["B", 5]), 1, 4) },
    { name: "[B,2,4][3:4]", build: ({ b, x }) => b.slice(x("x", ["B", 2, 4]), 3, 4) },
  ],
  pad: [
    { name: "[B,3] (2, 1)", build: ({ b, x }) => b.pad(x("x", ["B", 3]), 2, 1) },
    { name: "[B,2,3] (1, 0)", build: ({ b, x }) => b.pad(x("x", ["B", 2, 3]), 1, 0) },
  ],
  // reductions and their adjoints
  sum: [
    { name: "[B,2,3] all axes", build: ({ b, x }) => b.sum(x("x", ["B", 2, 3])) },
    { name: "[B,2,3] axes [0] (batch)", build: ({ b, x }) => b.sum(x("x", ["B", 2, 3]), { axes: [0] }) },
    { name: "[B,2,3] axes [-1], keepDims", build: ({ b, x }) => b.sum(x("x", ["B", 2, 3]), { axes: [-1], keepDims: true }) },
    { name: "[B,2,3] axes [1]", build: ({ b, x }) => b.sum(x("x", ["B", 2, 3]), { axes: [1] }) },
    { name: "[B,2,3] axes [0, 2], keepDims", build: ({ b, x }) => b.sum(x("x", ["B", 2, 3]), { axes: [0, 2], keepDims: true }) },
  ],
  mean: [
    { name: "[B,2,3] all axes", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3])) },
    { name: "[B,2,3] axes [0] (batch)", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { axes: [0] }) },
    { name: "[B,2,3] axes [-1], keepDims", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { axes: [-1], keepDims: true }) },
    { name: "[B,2,3] axes [1, 2]", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { axes: [1, 2] }) },
  ],
  sumTo: [
    { name: "[B,2,3] to [3]", build: ({ b, x, p }) => b.sumTo(x("x", ["B", 2, 3]), p("like", [3])) },
    { name: "[B,3] to [B,1]", build: ({ b, x }) => b.sumTo(x("x", ["B", 3]), x("like", ["B", 1])) },
    { name: "[B,2,3] to [2,1]", build: ({ b, x, p }) => b.sumTo(x("x", ["B", 2, 3]), p("like", [2, 1])) },
    { name: "[B,2,3] to [B,1,3]", build: ({ b, x }) => b.sumTo(x("x", ["B", 2, 3]), x("like", ["B", 1, 3])) },
    { name: "[B,3] to scalar", build: ({ b, x, p }) => b.sumTo(x("x", ["B", 3]), p("like", [])) },
  ],
  broadcastTo: [
    { name: "[3] to [B,3]", build: ({ b, x, p }) => b.broadcastTo(p("w", [3]), x("like", ["B", 3])) },
    { name: "[B,1] to [B,4]", build: ({ b, x }) => b.broadcastTo(x("x", ["B", 1]), x("like", ["B", 4])) },
    { name: "[2,1] to [B,2,3]", build: ({ b, x, p }) => b.broadcastTo(p("w", [2, 1]), x("like", ["B", 2, 3])) },
    { name: "[B,1,3] to [B,2,3]", build: ({ b, x }) => b.broadcastTo(x("x", ["B", 1, 3]), x("like", ["B", 2, 3])) },
  ],
  reshape: [
    { name: "[B,6] to [B,2,3]", build: ({ b, x }) => b.reshape(x("x", ["B", 6]), ["B", 2, 3]) },
    { name: "[B,6] to [3,B,2]", build: ({ b, x }) => b.reshape(x("x", ["B", 6]), [3, "B", 2]) },
    { name: "param [6] to [2,3]", build: ({ b, p }) => b.reshape(p("w", [6]), [2, 3]) },
  ],
  countOf: [
    { name: "y * countOf(x, [0, 2]) (counts the batch)", build: ({ b, x }) => b.mul(x("y", ["B", 3]), b.countOf(x("x", ["B", 2, 4]), [0, 2])) },
    { name: "y / countOf(w, [-1])", build: ({ b, x, p }) => b.div(x("y", ["B", 3]), b.countOf(p("w", [2, 5]), [-1])) },
  ],
  // sources and plumbing
  constant: [
    { name: "x * constant [3]", build: ({ b, x }) => b.mul(x("x", ["B", 3]), b.constant([0.5, -2, 3], [3])) },
    { name: "x + scalar", build: ({ b, x }) => b.add(x("x", ["B", 3]), b.scalar(2.5)) },
    { name: "constant [2,3] alone", build: ({ b }) => b.constant([1, 2, 3, 4, 5, 6], [2, 3]) },
  ],
  identity: [{ name: "[B,3]", build: ({ b, x }) => b.identity(x("x", ["B", 3])) }],
  oneHot: [{ name: "class ids [B], depth 4", build: ({ b, x }) => b.oneHot(x("c", ["B"], classIds(4)), 4) }],
  // per-row losses, shape [B]
  mse: [{ name: "[B,3] vs [B,3]", build: ({ b, x }) => b.mse(x("pred", ["B", 3]), x("target", ["B", 3])) }],
  softmaxCrossEntropy: [
    { name: "logits [B,4], class ids [B]", build: ({ b, x }) => b.softmaxCrossEntropy(x("logits", ["B", 4]), x("c", ["B"], classIds(4))) },
    {
      name: "logits [B,5] in [-50, 50) (stability)",
      build: ({ b, x }) => b.softmaxCrossEntropy(x("logits", ["B", 5], wide(50)), x("c", ["B"], classIds(5))),
    },
  ],
};
