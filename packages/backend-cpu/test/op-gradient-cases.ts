import type { OpKind } from "@unroll/ir";
import { awayFromZero, classIds, positive, shapeOnly, type GradCase } from "./gradient-check.js";

/**
 * Gradient cases for every op: tiny graphs whose batched operands are xs `["B", ...]`
 * and whose unbatched operands are params. The type makes a missing op a compile
 * error; the test also fails at run time for any op of `opKinds` without a case.
 */
export const gradCases: { readonly [K in OpKind]: readonly GradCase[] } = {
  matmul: [
    { name: "x[B,3] · W[3,4]", build: ({ b, x, p }) => b.matmul(x("x", ["B", 3]), p("W", [3, 4])) },
    { name: "x[B,3] · W[4,3]ᵀ", build: ({ b, x, p }) => b.matmul(x("x", ["B", 3]), p("W", [4, 3]), { transposeB: true }) },
    { name: "W[2,3] · x[B,3]ᵀ", build: ({ b, x, p }) => b.matmul(p("W", [2, 3]), x("x", ["B", 3]), { transposeB: true }) },
    {
      name: "W[3,2]ᵀ · x[B,3]ᵀ",
      build: ({ b, x, p }) => b.matmul(p("W", [3, 2]), x("x", ["B", 3]), { transposeA: true, transposeB: true }),
    },
    // with transposeA alone both operands share the leading axis, so both are batched or both params
    { name: "x[B,3]ᵀ · y[B,4]", build: ({ b, x }) => b.matmul(x("x", ["B", 3]), x("y", ["B", 4]), { transposeA: true }) },
    { name: "W[3,2]ᵀ · V[3,4]", build: ({ b, p }) => b.matmul(p("W", [3, 2]), p("V", [3, 4]), { transposeA: true }) },
    { name: "x[B,3]ᵀ · x (one input twice)", build: ({ b, x }) => ((v) => b.matmul(v, v, { transposeA: true }))(x("x", ["B", 3])) },
  ],
  add: [
    { name: "[B,3] + [3]", build: ({ b, x, p }) => b.add(x("x", ["B", 3]), p("c", [3])) },
    { name: "[3] + [B,3]", build: ({ b, x, p }) => b.add(p("c", [3]), x("x", ["B", 3])) },
    { name: "[B,3] + [B,1]", build: ({ b, x }) => b.add(x("x", ["B", 3]), x("y", ["B", 1])) },
    { name: "[B,2,3] + [2,1]", build: ({ b, x, p }) => b.add(x("x", ["B", 2, 3]), p("c", [2, 1])) },
    { name: "[B,3] + scalar", build: ({ b, x, p }) => b.add(x("x", ["B", 3]), p("c", [])) },
    { name: "x + x", build: ({ b, x }) => ((v) => b.add(v, v))(x("x", ["B", 3])) },
  ],
  sub: [
    { name: "[B,3] - [3]", build: ({ b, x, p }) => b.sub(x("x", ["B", 3]), p("c", [3])) },
    { name: "[3] - [B,3]", build: ({ b, x, p }) => b.sub(p("c", [3]), x("x", ["B", 3])) },
    { name: "[B,1] - [B,3]", build: ({ b, x }) => b.sub(x("y", ["B", 1]), x("x", ["B", 3])) },
    { name: "[B,2,3] - [2,1]", build: ({ b, x, p }) => b.sub(x("x", ["B", 2, 3]), p("c", [2, 1])) },
  ],
  mul: [
    { name: "[B,3] * [B,1]", build: ({ b, x }) => b.mul(x("x", ["B", 3]), x("y", ["B", 1])) },
    { name: "[B,3] * [3]", build: ({ b, x, p }) => b.mul(x("x", ["B", 3]), p("c", [3])) },
    { name: "[B,1,3] * [2,1]", build: ({ b, x, p }) => b.mul(x("x", ["B", 1, 3]), p("c", [2, 1])) },
    { name: "scalar * [B,3]", build: ({ b, x, p }) => b.mul(p("c", []), x("x", ["B", 3])) },
    { name: "x * x", build: ({ b, x }) => ((v) => b.mul(v, v))(x("x", ["B", 3])) },
  ],
  div: [
    { name: "[B,3] / [B,1]", build: ({ b, x }) => b.div(x("x", ["B", 3]), x("y", ["B", 1], awayFromZero)) },
    { name: "[B,3] / [3]", build: ({ b, x, p }) => b.div(x("x", ["B", 3]), p("c", [3], awayFromZero)) },
    { name: "[3] / [B,3]", build: ({ b, x, p }) => b.div(p("c", [3]), x("x", ["B", 3], awayFromZero)) },
    { name: "[B,2,3] / [2,1]", build: ({ b, x, p }) => b.div(x("x", ["B", 2, 3]), p("c", [2, 1], awayFromZero)) },
    { name: "scalar / [B,3]", build: ({ b, x, p }) => b.div(p("c", []), x("x", ["B", 3], awayFromZero)) },
  ],
  neg: [
    { name: "[B,3]", build: ({ b, x }) => b.neg(x("x", ["B", 3])) },
    { name: "param [2,3]", build: ({ b, p }) => b.neg(p("w", [2, 3])) },
  ],
  tanh: [
    { name: "[B,3]", build: ({ b, x }) => b.tanh(x("x", ["B", 3])) },
    { name: "param [4]", build: ({ b, p }) => b.tanh(p("w", [4])) },
  ],
  sigmoid: [
    { name: "[B,3]", build: ({ b, x }) => b.sigmoid(x("x", ["B", 3])) },
    { name: "param [4]", build: ({ b, p }) => b.sigmoid(p("w", [4])) },
  ],
  relu: [
    { name: "[B,4]", build: ({ b, x }) => b.relu(x("x", ["B", 4], awayFromZero)) },
    { name: "param [2,3]", build: ({ b, p }) => b.relu(p("w", [2, 3], awayFromZero)) },
  ],
  step: [
    { name: "step(x): no gradient", build: ({ b, x }) => b.step(x("x", ["B", 4], { ...awayFromZero, noGrad: true })) },
    { name: "x * step(x)", build: ({ b, x }) => ((v) => b.mul(v, b.step(v)))(x("x", ["B", 4], awayFromZero)) },
  ],
  exp: [
    { name: "[B,3]", build: ({ b, x }) => b.exp(x("x", ["B", 3])) },
    { name: "param [4]", build: ({ b, p }) => b.exp(p("w", [4])) },
  ],
  log: [
    { name: "[B,3]", build: ({ b, x }) => b.log(x("x", ["B", 3], positive)) },
    { name: "param [4]", build: ({ b, p }) => b.log(p("w", [4], positive)) },
  ],
  softmax: [
    { name: "[B,4]", build: ({ b, x }) => b.softmax(x("x", ["B", 4])) },
    { name: "[B,2,3]", build: ({ b, x }) => b.softmax(x("x", ["B", 2, 3])) },
    { name: "param [2,3]", build: ({ b, p }) => b.softmax(p("w", [2, 3])) },
  ],
  logSoftmax: [
    { name: "[B,4]", build: ({ b, x }) => b.logSoftmax(x("x", ["B", 4])) },
    { name: "[B,2,3]", build: ({ b, x }) => b.logSoftmax(x("x", ["B", 2, 3])) },
    { name: "param [2,3]", build: ({ b, p }) => b.logSoftmax(p("w", [2, 3])) },
  ],
  concat: [
    {
      name: "[B,2] ++ [B,1] ++ [B,3]",
      build: ({ b, x }) => b.concat(x("x", ["B", 2]), x("y", ["B", 1]), x("z", ["B", 3])),
    },
    { name: "params [2,3] ++ [2,1] ++ [2,2]", build: ({ b, p }) => b.concat(p("u", [2, 3]), p("v", [2, 1]), p("w", [2, 2])) },
    { name: "x ++ y ++ x", build: ({ b, x }) => ((v) => b.concat(v, x("y", ["B", 1]), v))(x("x", ["B", 2])) },
    { name: "[B,2,1] ++ [B,2,2]", build: ({ b, x }) => b.concat(x("x", ["B", 2, 1]), x("y", ["B", 2, 2])) },
  ],
  slice: [
    { name: "[B,5][1:4]", build: ({ b, x }) => b.slice(x("x", ["B", 5]), 1, 4) },
    { name: "[B,5][0:2]", build: ({ b, x }) => b.slice(x("x", ["B", 5]), 0, 2) },
    { name: "[B,2,4][3:4]", build: ({ b, x }) => b.slice(x("x", ["B", 2, 4]), 3, 4) },
    { name: "param [2,5][2:5]", build: ({ b, p }) => b.slice(p("w", [2, 5]), 2, 5) },
  ],
  pad: [
    { name: "[B,3] (2, 1)", build: ({ b, x }) => b.pad(x("x", ["B", 3]), 2, 1) },
    { name: "[B,3] (0, 2)", build: ({ b, x }) => b.pad(x("x", ["B", 3]), 0, 2) },
    { name: "[B,2,3] (1, 0)", build: ({ b, x }) => b.pad(x("x", ["B", 2, 3]), 1, 0) },
    { name: "param [2,3] (1, 1)", build: ({ b, p }) => b.pad(p("w", [2, 3]), 1, 1) },
  ],
  sum: [
    { name: "[B,2,3] all axes", build: ({ b, x }) => b.sum(x("x", ["B", 2, 3])) },
    { name: "[B,2,3] all axes, keepDims", build: ({ b, x }) => b.sum(x("x", ["B", 2, 3]), { keepDims: true }) },
    { name: "[B,2,3] axes [0] (batch)", build: ({ b, x }) => b.sum(x("x", ["B", 2, 3]), { axes: [0] }) },
    { name: "[B,2,3] axes [0], keepDims", build: ({ b, x }) => b.sum(x("x", ["B", 2, 3]), { axes: [0], keepDims: true }) },
    { name: "[B,2,3] axes [-1], keepDims", build: ({ b, x }) => b.sum(x("x", ["B", 2, 3]), { axes: [-1], keepDims: true }) },
    { name: "[B,2,3] axes [1, 2]", build: ({ b, x }) => b.sum(x("x", ["B", 2, 3]), { axes: [1, 2] }) },
    { name: "[B,2,3] axes [0, 2], keepDims", build: ({ b, x }) => b.sum(x("x", ["B", 2, 3]), { axes: [0, 2], keepDims: true }) },
    { name: "[B,2,3] axes [1]", build: ({ b, x }) => b.sum(x("x", ["B", 2, 3]), { axes: [1] }) },
    { name: "[B,3] axes []", build: ({ b, x }) => b.sum(x("x", ["B", 3]), { axes: [] }) },
    { name: "param [2,3] axes [0]", build: ({ b, p }) => b.sum(p("w", [2, 3]), { axes: [0] }) },
  ],
  mean: [
    { name: "[B,2,3] all axes", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3])) },
    { name: "[B,2,3] all axes, keepDims", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { keepDims: true }) },
    { name: "[B,2,3] axes [0] (batch)", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { axes: [0] }) },
    { name: "[B,2,3] axes [0], keepDims", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { axes: [0], keepDims: true }) },
    { name: "[B,2,3] axes [-1], keepDims", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { axes: [-1], keepDims: true }) },
    { name: "[B,2,3] axes [1, 2]", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { axes: [1, 2] }) },
    { name: "[B,2,3] axes [0, 2], keepDims", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { axes: [0, 2], keepDims: true }) },
    { name: "param [2,3] axes [1]", build: ({ b, p }) => b.mean(p("w", [2, 3]), { axes: [1] }) },
  ],
  sumTo: [
    { name: "[B,2,3] to [3]", build: ({ b, x, p }) => b.sumTo(x("x", ["B", 2, 3]), p("like", [3], shapeOnly)) },
    { name: "[B,3] to [B,1]", build: ({ b, x }) => b.sumTo(x("x", ["B", 3]), x("like", ["B", 1], shapeOnly)) },
    { name: "[B,2,3] to [2,1]", build: ({ b, x, p }) => b.sumTo(x("x", ["B", 2, 3]), p("like", [2, 1], shapeOnly)) },
    { name: "[B,2,3] to [B,1,3]", build: ({ b, x }) => b.sumTo(x("x", ["B", 2, 3]), x("like", ["B", 1, 3], shapeOnly)) },
    { name: "[B,3] to scalar", build: ({ b, x, p }) => b.sumTo(x("x", ["B", 3]), p("like", [], shapeOnly)) },
    { name: "[B,3] to [B,3]", build: ({ b, x }) => b.sumTo(x("x", ["B", 3]), x("like", ["B", 3], shapeOnly)) },
    { name: "param [2,3] to [1,3]", build: ({ b, p }) => b.sumTo(p("w", [2, 3]), p("like", [1, 3], shapeOnly)) },
  ],
  broadcastTo: [
    { name: "[3] to [B,3]", build: ({ b, x, p }) => b.broadcastTo(p("w", [3]), x("like", ["B", 3], shapeOnly)) },
    { name: "[B,1] to [B,4]", build: ({ b, x }) => b.broadcastTo(x("x", ["B", 1]), x("like", ["B", 4], shapeOnly)) },
    { name: "[2,1] to [B,2,3]", build: ({ b, x, p }) => b.broadcastTo(p("w", [2, 1]), x("like", ["B", 2, 3], shapeOnly)) },
    { name: "scalar to [B,2]", build: ({ b, x, p }) => b.broadcastTo(p("w", []), x("like", ["B", 2], shapeOnly)) },
    { name: "[B,1,3] to [B,2,3]", build: ({ b, x }) => b.broadcastTo(x("x", ["B", 1, 3]), x("like", ["B", 2, 3], shapeOnly)) },
    { name: "param [1,3] to [2,3]", build: ({ b, p }) => b.broadcastTo(p("w", [1, 3]), p("like", [2, 3], shapeOnly)) },
  ],
  reshape: [
    { name: "[B,6] to [B,2,3]", build: ({ b, x }) => b.reshape(x("x", ["B", 6]), ["B", 2, 3]) },
    { name: "[B,2,3] to [B,6]", build: ({ b, x }) => b.reshape(x("x", ["B", 2, 3]), ["B", 6]) },
    { name: "[B,6] to [3,B,2]", build: ({ b, x }) => b.reshape(x("x", ["B", 6]), [3, "B", 2]) },
    { name: "param [6] to [2,3]", build: ({ b, p }) => b.reshape(p("w", [6]), [2, 3]) },
  ],
  countOf: [
    {
      name: "y * countOf(x, [0, 2])",
      build: ({ b, x }) => b.mul(x("y", ["B", 3]), b.countOf(x("x", ["B", 2, 4], shapeOnly), [0, 2])),
    },
    { name: "y / countOf(x)", build: ({ b, x }) => b.div(x("y", ["B", 3]), b.countOf(x("x", ["B", 2], shapeOnly))) },
    { name: "countOf(w, [-1]) * y", build: ({ b, x, p }) => b.mul(b.countOf(p("w", [2, 5], shapeOnly), [-1]), x("y", ["B", 3])) },
  ],
  constant: [
    { name: "x * constant [3]", build: ({ b, x }) => b.mul(x("x", ["B", 3]), b.constant([0.5, -2, 3], [3])) },
    { name: "x + scalar", build: ({ b, x }) => b.add(x("x", ["B", 3]), b.scalar(2.5)) },
    { name: "constant alone", build: ({ b }) => b.constant([1, 2, 3, 4, 5, 6], [2, 3]) },
  ],
  identity: [
    { name: "[B,3]", build: ({ b, x }) => b.identity(x("x", ["B", 3])) },
    { name: "param [2,3]", build: ({ b, p }) => b.identity(p("w", [2, 3])) },
  ],
  oneHot: [
    { name: "oneHot(c, 4): no gradient", build: ({ b, x }) => b.oneHot(x("c", ["B"], classIds(4)), 4) },
    { name: "oneHot(c, 4) * x", build: ({ b, x }) => b.mul(b.oneHot(x("c", ["B"], classIds(4)), 4), x("x", ["B", 4])) },
  ],
  mse: [
    { name: "[B,3] vs [B,3]", build: ({ b, x }) => b.mse(x("pred", ["B", 3]), x("target", ["B", 3])) },
    { name: "x W vs [B,2]", build: ({ b, x, p }) => b.mse(b.matmul(x("x", ["B", 3]), p("W", [3, 2])), x("target", ["B", 2])) },
    { name: "params [2,3] vs [2,3]", build: ({ b, p }) => b.mse(p("pred", [2, 3]), p("target", [2, 3])) },
  ],
  softmaxCrossEntropy: [
    { name: "logits [B,4], class ids [B]", build: ({ b, x }) => b.softmaxCrossEntropy(x("logits", ["B", 4]), x("c", ["B"], classIds(4))) },
    {
      name: "logits x W, class ids [B]",
      build: ({ b, x, p }) => b.softmaxCrossEntropy(b.matmul(x("x", ["B", 3]), p("W", [3, 5])), x("c", ["B"], classIds(5))),
    },
    {
      name: "param logits [2,3], constant class ids",
      build: ({ b, p }) => b.softmaxCrossEntropy(p("logits", [2, 3]), b.constant([2, 0], [2])),
    },
  ],
};
