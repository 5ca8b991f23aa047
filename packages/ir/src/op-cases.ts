import { awayFromZero, classIds, positive, shapeOnly, wide, type OpCases } from "./op-case.js";
import type { OpKind } from "./ops/index.js";

/**
 * The test cases of every op, in one place: hand-checked values of its reference
 * kernel, and small step graphs around it whose batched operands are xs
 * `["B", ...]` and unbatched ones params. The CPU backend's tests check the
 * examples and the graphs' gradients; the conformance kit runs the graphs
 * forward on every backend. The type makes a missing op a compile error.
 */
export const opCases: { readonly [K in OpKind]: OpCases<K> } = {
  // linear algebra
  matmul: {
    examples: [
      {
        inputs: [
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          [
            [7, 8],
            [9, 10],
            [11, 12],
          ],
        ],
        output: [
          [58, 64],
          [139, 154],
        ],
      },
      {
        attrs: { transposeA: true },
        inputs: [
          [
            [1, 4],
            [2, 5],
            [3, 6],
          ],
          [
            [7, 8],
            [9, 10],
            [11, 12],
          ],
        ],
        output: [
          [58, 64],
          [139, 154],
        ],
      },
      {
        inputs: [
          [[[1, 2, 3]], [[4, 5, 6]]],
          [
            [7, 8],
            [9, 10],
            [11, 12],
          ],
        ],
        output: [[[58, 64]], [[139, 154]]],
      },
      // accumulates in float64: 2^24 + 1 + 1 loses both ones in float32 arithmetic
      { attrs: { transposeB: true }, inputs: [[[16777216, 1, 1]], [[1, 1, 1]]], output: [[16777218]] },
    ],
    graphs: [
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
      { name: "W[3,2]ᵀ · V[4,3]ᵀ", build: ({ b, p }) => b.matmul(p("W", [3, 2]), p("V", [4, 3]), { transposeA: true, transposeB: true }) },
      { name: "x[B,3]ᵀ · x (one input twice)", build: ({ b, x }) => ((v) => b.matmul(v, v, { transposeA: true }))(x("x", ["B", 3])) },
      // a stack of rows times a matrix, as forward-mode tangents [B, D, k] are multiplied
      { name: "x[B,2,3] · W[3,4]", build: ({ b, x, p }) => b.matmul(x("x", ["B", 2, 3]), p("W", [3, 4])) },
      { name: "x[B,2,3] · W[4,3]ᵀ", build: ({ b, x, p }) => b.matmul(x("x", ["B", 2, 3]), p("W", [4, 3]), { transposeB: true }) },
      { name: "x[B,2,3]ᵀ · y[B,2,4]", build: ({ b, x }) => b.matmul(x("x", ["B", 2, 3]), x("y", ["B", 2, 4]), { transposeA: true }) },
    ],
  },
  // elementwise arithmetic (NumPy broadcasting)
  add: {
    examples: [
      {
        inputs: [
          [
            [1, 2],
            [3, 4],
          ],
          [
            [4, 3],
            [2, 8],
          ],
        ],
        output: [
          [5, 5],
          [5, 12],
        ],
      },
      {
        inputs: [[[1], [2], [3]], [[10, 20]]],
        output: [
          [11, 21],
          [12, 22],
          [13, 23],
        ],
      },
    ],
    graphs: [
      { name: "[B,3] + [B,3]", build: ({ b, x }) => b.add(x("x", ["B", 3]), x("y", ["B", 3])) },
      { name: "[B,3] + [3]", build: ({ b, x, p }) => b.add(x("x", ["B", 3]), p("c", [3])) },
      { name: "[3] + [B,3]", build: ({ b, x, p }) => b.add(p("c", [3]), x("x", ["B", 3])) },
      { name: "[B,3] + [B,1]", build: ({ b, x }) => b.add(x("x", ["B", 3]), x("y", ["B", 1])) },
      { name: "[B,2,3] + [2,1]", build: ({ b, x, p }) => b.add(x("x", ["B", 2, 3]), p("c", [2, 1])) },
      { name: "[B,3] + scalar", build: ({ b, x, p }) => b.add(x("x", ["B", 3]), p("c", [])) },
      { name: "x + x", build: ({ b, x }) => ((v) => b.add(v, v))(x("x", ["B", 3])) },
    ],
  },
  sub: {
    examples: [
      {
        inputs: [
          [
            [1, 2],
            [3, 4],
          ],
          [
            [4, 3],
            [2, 8],
          ],
        ],
        output: [
          [-3, -1],
          [1, -4],
        ],
      },
      { inputs: [10, [1, 2, 3]], output: [9, 8, 7] },
    ],
    graphs: [
      { name: "[B,3] - [3]", build: ({ b, x, p }) => b.sub(x("x", ["B", 3]), p("c", [3])) },
      { name: "[3] - [B,3]", build: ({ b, x, p }) => b.sub(p("c", [3]), x("x", ["B", 3])) },
      { name: "[B,1] - [B,3]", build: ({ b, x }) => b.sub(x("y", ["B", 1]), x("x", ["B", 3])) },
      { name: "[B,2,3] - [2,1]", build: ({ b, x, p }) => b.sub(x("x", ["B", 2, 3]), p("c", [2, 1])) },
    ],
  },
  mul: {
    examples: [
      {
        inputs: [
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          [[2], [-1]],
        ],
        output: [
          [2, 4, 6],
          [-4, -5, -6],
        ],
      },
      {
        inputs: [
          [
            [1, 2],
            [3, 4],
          ],
          3,
        ],
        output: [
          [3, 6],
          [9, 12],
        ],
      },
    ],
    graphs: [
      { name: "[B,3] * [B,1]", build: ({ b, x }) => b.mul(x("x", ["B", 3]), x("y", ["B", 1])) },
      { name: "[B,3] * [3]", build: ({ b, x, p }) => b.mul(x("x", ["B", 3]), p("c", [3])) },
      { name: "[B,1,3] * [2,1]", build: ({ b, x, p }) => b.mul(x("x", ["B", 1, 3]), p("c", [2, 1])) },
      { name: "scalar * [B,3]", build: ({ b, x, p }) => b.mul(p("c", []), x("x", ["B", 3])) },
      { name: "x * x", build: ({ b, x }) => ((v) => b.mul(v, v))(x("x", ["B", 3])) },
    ],
  },
  div: {
    examples: [
      {
        inputs: [
          [
            [1, 2],
            [3, 4],
          ],
          [
            [4, 3],
            [2, 8],
          ],
        ],
        output: [
          [0.25, 2 / 3],
          [1.5, 0.5],
        ],
      },
      { inputs: [[1, -1, 0], 0], output: [Infinity, -Infinity, NaN] },
    ],
    graphs: [
      { name: "[B,3] / [B,1]", build: ({ b, x }) => b.div(x("x", ["B", 3]), x("y", ["B", 1], awayFromZero)) },
      { name: "[B,3] / [3]", build: ({ b, x, p }) => b.div(x("x", ["B", 3]), p("c", [3], awayFromZero)) },
      { name: "[3] / [B,3]", build: ({ b, x, p }) => b.div(p("c", [3]), x("x", ["B", 3], awayFromZero)) },
      { name: "[B,2,3] / [2,1]", build: ({ b, x, p }) => b.div(x("x", ["B", 2, 3]), p("c", [2, 1], awayFromZero)) },
      { name: "scalar / [B,3]", build: ({ b, x, p }) => b.div(p("c", []), x("x", ["B", 3], awayFromZero)) },
    ],
  },
  neg: {
    examples: [{ inputs: [[-2, -0.5, 0, 0.5, 3]], output: [2, 0.5, -0, -0.5, -3] }],
    graphs: [
      { name: "[B,3]", build: ({ b, x }) => b.neg(x("x", ["B", 3])) },
      { name: "param [2,3]", build: ({ b, p }) => b.neg(p("w", [2, 3])) },
    ],
  },
  // elementwise nonlinearities
  tanh: {
    examples: [
      { inputs: [[0, 0.5, -2]], output: [0, 0.46211715726, -0.96402758008], digits: 6 },
      { inputs: [[-1000, 1000]], output: [-1, 1] },
    ],
    graphs: [
      { name: "[B,3]", build: ({ b, x }) => b.tanh(x("x", ["B", 3])) },
      { name: "param [4]", build: ({ b, p }) => b.tanh(p("w", [4])) },
      { name: "[B,4] in [-20, 20) (saturation)", build: ({ b, x }) => b.tanh(x("x", ["B", 4], wide(20))) },
    ],
  },
  sigmoid: {
    examples: [
      { inputs: [[0.5, -2]], output: [0.6224593312, 0.11920292202], digits: 6 },
      // saturates to 0 and 1 without overflow
      { inputs: [[0, -1000, 1000]], output: [0.5, 0, 1] },
    ],
    graphs: [
      { name: "[B,3]", build: ({ b, x }) => b.sigmoid(x("x", ["B", 3])) },
      { name: "param [4]", build: ({ b, p }) => b.sigmoid(p("w", [4])) },
      { name: "[B,4] in [-30, 30) (saturation)", build: ({ b, x }) => b.sigmoid(x("x", ["B", 4], wide(30))) },
    ],
  },
  relu: {
    examples: [{ inputs: [[-2, -0.5, 0, 0.5, 3, NaN]], output: [0, 0, 0, 0.5, 3, NaN] }],
    graphs: [
      { name: "[B,4] both signs", build: ({ b, x }) => b.relu(x("x", ["B", 4], awayFromZero)) },
      { name: "param [2,3]", build: ({ b, p }) => b.relu(p("w", [2, 3], awayFromZero)) },
    ],
  },
  step: {
    examples: [{ inputs: [[-2, -0.5, 0, 0.5, 3]], output: [0, 0, 0, 1, 1] }],
    graphs: [
      { name: "[B,4] both signs: no gradient", build: ({ b, x }) => b.step(x("x", ["B", 4], { ...awayFromZero, noGrad: true })) },
      { name: "x * step(x)", build: ({ b, x }) => ((v) => b.mul(v, b.step(v)))(x("x", ["B", 4], awayFromZero)) },
    ],
  },
  exp: {
    examples: [{ inputs: [[0, 1, -1000]], output: [1, 2.718281828459, 0], digits: 6 }],
    graphs: [
      { name: "[B,3]", build: ({ b, x }) => b.exp(x("x", ["B", 3])) },
      { name: "param [4]", build: ({ b, p }) => b.exp(p("w", [4])) },
      // e^20 swamps finite differences of the other elements
      { name: "[B,4] in [-20, 20)", build: ({ b, x }) => b.exp(x("x", ["B", 4], wide(20))), gradient: false },
    ],
  },
  log: {
    examples: [
      { inputs: [[1, 2.718281828459045, 0.5]], output: [0, 1, -0.69314718056], digits: 6 },
      { inputs: [[0, -1]], output: [-Infinity, NaN] },
    ],
    graphs: [
      { name: "[B,3] positive", build: ({ b, x }) => b.log(x("x", ["B", 3], positive)) },
      { name: "param [4] positive", build: ({ b, p }) => b.log(p("w", [4], positive)) },
    ],
  },
  rsqrt: {
    examples: [
      { inputs: [[4, 0.25, 1, 2]], output: [0.5, 2, 1, 0.70710678118], digits: 6 },
      // a variance of 0 (without eps) and a negative one
      { inputs: [[0, -1]], output: [Infinity, NaN] },
    ],
    graphs: [
      { name: "[B,3] positive", build: ({ b, x }) => b.rsqrt(x("x", ["B", 3], positive)) },
      { name: "param [4] positive", build: ({ b, p }) => b.rsqrt(p("w", [4], positive)) },
      // what rsqrt is for: layer normalization, composed (gain and bias broadcast over the rows)
      { name: "layerNorm [B,5] with gain and bias", build: ({ b, x, p }) => b.layerNorm(x("x", ["B", 5]), p("gain", [5]), p("bias", [5])) },
      { name: "layerNorm [B,3] with eps 0.1", build: ({ b, x, p }) => b.layerNorm(x("x", ["B", 3]), p("gain", [3]), p("bias", [3]), 0.1) },
    ],
  },
  // last-axis normalizations
  softmax: {
    examples: [
      {
        inputs: [
          [
            [1, 2, 3],
            [5, 5, 5],
          ],
        ],
        output: [
          [0.09003057317, 0.24472847105, 0.66524095578],
          [1 / 3, 1 / 3, 1 / 3],
        ],
        digits: 6,
      },
      // stable: the max is subtracted first
      {
        inputs: [
          [
            [1000, 1000],
            [1000, 0],
            [-1000, 1000],
          ],
        ],
        output: [
          [0.5, 0.5],
          [1, 0],
          [0, 1],
        ],
      },
      { inputs: [[[[0, 0]], [[0, Math.log(3)]]]], output: [[[0.5, 0.5]], [[0.25, 0.75]]], digits: 6 },
    ],
    graphs: [
      { name: "[B,4]", build: ({ b, x }) => b.softmax(x("x", ["B", 4])) },
      { name: "[B,2,3]", build: ({ b, x }) => b.softmax(x("x", ["B", 2, 3])) },
      { name: "param [2,3]", build: ({ b, p }) => b.softmax(p("w", [2, 3])) },
      { name: "[B,4] logits in [-50, 50) (stability)", build: ({ b, x }) => b.softmax(x("x", ["B", 4], wide(50))) },
    ],
  },
  logSoftmax: {
    examples: [
      {
        inputs: [
          [
            [0, 0],
            [1000, 1000],
            [1000, 0],
          ],
        ],
        output: [
          [-Math.LN2, -Math.LN2],
          [-Math.LN2, -Math.LN2],
          [0, -1000],
        ],
        digits: 5,
      },
    ],
    graphs: [
      { name: "[B,4]", build: ({ b, x }) => b.logSoftmax(x("x", ["B", 4])) },
      { name: "[B,2,3]", build: ({ b, x }) => b.logSoftmax(x("x", ["B", 2, 3])) },
      { name: "param [2,3]", build: ({ b, p }) => b.logSoftmax(p("w", [2, 3])) },
      { name: "[B,4] logits in [-50, 50) (stability)", build: ({ b, x }) => b.logSoftmax(x("x", ["B", 4], wide(50))) },
    ],
  },
  // last-axis layout
  concat: {
    examples: [
      {
        inputs: [
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          [[7], [8]],
          [
            [9, 10],
            [11, 12],
          ],
        ],
        output: [
          [1, 2, 3, 7, 9, 10],
          [4, 5, 6, 8, 11, 12],
        ],
      },
      {
        inputs: [[[[1], [2]]], [[[3], [4]]]],
        output: [
          [
            [1, 3],
            [2, 4],
          ],
        ],
      },
    ],
    graphs: [
      { name: "[B,2] ++ [B,1] ++ [B,3]", build: ({ b, x }) => b.concat(x("x", ["B", 2]), x("y", ["B", 1]), x("z", ["B", 3])) },
      { name: "params [2,3] ++ [2,1] ++ [2,2]", build: ({ b, p }) => b.concat(p("u", [2, 3]), p("v", [2, 1]), p("w", [2, 2])) },
      { name: "x ++ y ++ x", build: ({ b, x }) => ((v) => b.concat(v, x("y", ["B", 1]), v))(x("x", ["B", 2])) },
      { name: "[B,2,1] ++ [B,2,2]", build: ({ b, x }) => b.concat(x("x", ["B", 2, 1]), x("y", ["B", 2, 2])) },
    ],
  },
  slice: {
    examples: [
      {
        attrs: { start: 1, end: 3 },
        inputs: [
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
        ],
        output: [
          [2, 3],
          [5, 6],
        ],
      },
      {
        attrs: { start: 0, end: 1 },
        inputs: [
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
        ],
        output: [[1], [4]],
      },
    ],
    graphs: [
      { name: "[B,5][1:4]", build: ({ b, x }) => b.slice(x("x", ["B", 5]), 1, 4) },
      { name: "[B,5][0:2]", build: ({ b, x }) => b.slice(x("x", ["B", 5]), 0, 2) },
      { name: "[B,2,4][3:4]", build: ({ b, x }) => b.slice(x("x", ["B", 2, 4]), 3, 4) },
      { name: "param [2,5][2:5]", build: ({ b, p }) => b.slice(p("w", [2, 5]), 2, 5) },
    ],
  },
  pad: {
    examples: [
      {
        attrs: { before: 1, after: 2 },
        inputs: [
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
        ],
        output: [
          [0, 1, 2, 3, 0, 0],
          [0, 4, 5, 6, 0, 0],
        ],
      },
      { attrs: { before: 0, after: 0 }, inputs: [[[1, 2, 3]]], output: [[1, 2, 3]] },
    ],
    graphs: [
      { name: "[B,3] (2, 1)", build: ({ b, x }) => b.pad(x("x", ["B", 3]), 2, 1) },
      { name: "[B,3] (0, 2)", build: ({ b, x }) => b.pad(x("x", ["B", 3]), 0, 2) },
      { name: "[B,2,3] (1, 0)", build: ({ b, x }) => b.pad(x("x", ["B", 2, 3]), 1, 0) },
      { name: "param [2,3] (1, 1)", build: ({ b, p }) => b.pad(p("w", [2, 3]), 1, 1) },
    ],
  },
  transpose: {
    examples: [
      {
        attrs: { perm: [1, 0] },
        inputs: [
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
        ],
        output: [
          [1, 4],
          [2, 5],
          [3, 6],
        ],
      },
      {
        attrs: { perm: [1, 2, 0] },
        inputs: [
          [
            [
              [1, 2],
              [3, 4],
            ],
            [
              [5, 6],
              [7, 8],
            ],
          ],
        ],
        output: [
          [
            [1, 5],
            [2, 6],
          ],
          [
            [3, 7],
            [4, 8],
          ],
        ],
      },
    ],
    graphs: [
      { name: "[B,2,3] perm [0,2,1]", build: ({ b, x }) => b.transpose(x("x", ["B", 2, 3]), [0, 2, 1]) },
      { name: "[B,2,3,2] perm [0,3,1,2]", build: ({ b, x }) => b.transpose(x("x", ["B", 2, 3, 2]), [0, 3, 1, 2]) },
      { name: "param [2,3] perm [1,0]", build: ({ b, p }) => b.transpose(p("w", [2, 3]), [1, 0]) },
      { name: "[B,3] perm [1,0] (batch moves)", build: ({ b, x }) => b.transpose(x("x", ["B", 3]), [1, 0]) },
    ],
  },
  // reductions and their adjoints
  sum: {
    examples: [
      {
        inputs: [
          [
            [
              [1, 2, 3],
              [4, 5, 6],
            ],
            [
              [7, 8, 9],
              [10, 11, 12],
            ],
          ],
        ],
        output: 78,
      },
      {
        attrs: { axes: [0, 2] },
        inputs: [
          [
            [
              [1, 2, 3],
              [4, 5, 6],
            ],
            [
              [7, 8, 9],
              [10, 11, 12],
            ],
          ],
        ],
        output: [30, 48],
      },
      {
        attrs: { axes: [-1], keepDims: true },
        inputs: [
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
        ],
        output: [[6], [15]],
      },
      // accumulates in float64
      { inputs: [[16777216, 1, 1]], output: 16777218 },
    ],
    graphs: [
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
  },
  mean: {
    examples: [
      {
        inputs: [
          [
            [
              [1, 2, 3],
              [4, 5, 6],
            ],
            [
              [7, 8, 9],
              [10, 11, 12],
            ],
          ],
        ],
        output: 6.5,
      },
      {
        attrs: { axes: [0, 1] },
        inputs: [
          [
            [
              [1, 2, 3],
              [4, 5, 6],
            ],
            [
              [7, 8, 9],
              [10, 11, 12],
            ],
          ],
        ],
        output: [5.5, 6.5, 7.5],
      },
      {
        attrs: { axes: [-1], keepDims: true },
        inputs: [
          [
            [1, 2],
            [3, 5],
          ],
        ],
        output: [[1.5], [4]],
      },
    ],
    graphs: [
      { name: "[B,2,3] all axes", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3])) },
      { name: "[B,2,3] all axes, keepDims", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { keepDims: true }) },
      { name: "[B,2,3] axes [0] (batch)", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { axes: [0] }) },
      { name: "[B,2,3] axes [0], keepDims", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { axes: [0], keepDims: true }) },
      { name: "[B,2,3] axes [-1], keepDims", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { axes: [-1], keepDims: true }) },
      { name: "[B,2,3] axes [1, 2]", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { axes: [1, 2] }) },
      { name: "[B,2,3] axes [0, 2], keepDims", build: ({ b, x }) => b.mean(x("x", ["B", 2, 3]), { axes: [0, 2], keepDims: true }) },
      { name: "param [2,3] axes [1]", build: ({ b, p }) => b.mean(p("w", [2, 3]), { axes: [1] }) },
    ],
  },
  sumTo: {
    examples: [
      {
        inputs: [
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          [0, 0, 0],
        ],
        output: [5, 7, 9],
      },
      {
        inputs: [
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          [[0], [0]],
        ],
        output: [[6], [15]],
      },
      {
        inputs: [
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          0,
        ],
        output: 21,
      },
    ],
    graphs: [
      { name: "[B,2,3] to [3]", build: ({ b, x, p }) => b.sumTo(x("x", ["B", 2, 3]), p("like", [3], shapeOnly)) },
      { name: "[B,3] to [B,1]", build: ({ b, x }) => b.sumTo(x("x", ["B", 3]), x("like", ["B", 1], shapeOnly)) },
      { name: "[B,2,3] to [2,1]", build: ({ b, x, p }) => b.sumTo(x("x", ["B", 2, 3]), p("like", [2, 1], shapeOnly)) },
      { name: "[B,2,3] to [B,1,3]", build: ({ b, x }) => b.sumTo(x("x", ["B", 2, 3]), x("like", ["B", 1, 3], shapeOnly)) },
      { name: "[B,3] to scalar", build: ({ b, x, p }) => b.sumTo(x("x", ["B", 3]), p("like", [], shapeOnly)) },
      { name: "[B,3] to [B,3]", build: ({ b, x }) => b.sumTo(x("x", ["B", 3]), x("like", ["B", 3], shapeOnly)) },
      { name: "param [2,3] to [1,3]", build: ({ b, p }) => b.sumTo(p("w", [2, 3]), p("like", [1, 3], shapeOnly)) },
    ],
  },
  broadcastTo: {
    examples: [
      {
        inputs: [
          [[1], [2]],
          [
            [0, 0, 0],
            [0, 0, 0],
          ],
        ],
        output: [
          [1, 1, 1],
          [2, 2, 2],
        ],
      },
      { inputs: [7, [0, 0]], output: [7, 7] },
      {
        inputs: [
          [[[1], [2]]],
          [
            [
              [0, 0],
              [0, 0],
            ],
            [
              [0, 0],
              [0, 0],
            ],
          ],
        ],
        output: [
          [
            [1, 1],
            [2, 2],
          ],
          [
            [1, 1],
            [2, 2],
          ],
        ],
      },
    ],
    graphs: [
      { name: "[3] to [B,3]", build: ({ b, x, p }) => b.broadcastTo(p("w", [3]), x("like", ["B", 3], shapeOnly)) },
      { name: "[B,1] to [B,4]", build: ({ b, x }) => b.broadcastTo(x("x", ["B", 1]), x("like", ["B", 4], shapeOnly)) },
      { name: "[2,1] to [B,2,3]", build: ({ b, x, p }) => b.broadcastTo(p("w", [2, 1]), x("like", ["B", 2, 3], shapeOnly)) },
      { name: "scalar to [B,2]", build: ({ b, x, p }) => b.broadcastTo(p("w", []), x("like", ["B", 2], shapeOnly)) },
      { name: "[B,1,3] to [B,2,3]", build: ({ b, x }) => b.broadcastTo(x("x", ["B", 1, 3]), x("like", ["B", 2, 3], shapeOnly)) },
      { name: "param [1,3] to [2,3]", build: ({ b, p }) => b.broadcastTo(p("w", [1, 3]), p("like", [2, 3], shapeOnly)) },
    ],
  },
  reshape: {
    examples: [
      {
        attrs: { shape: [3, 2] },
        inputs: [
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
        ],
        output: [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      },
    ],
    graphs: [
      { name: "[B,6] to [B,2,3]", build: ({ b, x }) => b.reshape(x("x", ["B", 6]), ["B", 2, 3]) },
      { name: "[B,2,3] to [B,6]", build: ({ b, x }) => b.reshape(x("x", ["B", 2, 3]), ["B", 6]) },
      { name: "[B,6] to [3,B,2]", build: ({ b, x }) => b.reshape(x("x", ["B", 6]), [3, "B", 2]) },
      { name: "param [6] to [2,3]", build: ({ b, p }) => b.reshape(p("w", [6]), [2, 3]) },
    ],
  },
  countOf: {
    examples: [
      {
        inputs: [
          [
            [
              [0, 0, 0],
              [0, 0, 0],
            ],
            [
              [0, 0, 0],
              [0, 0, 0],
            ],
          ],
        ],
        output: 12,
      },
      {
        attrs: { axes: [-1, 1] },
        inputs: [
          [
            [
              [0, 0, 0],
              [0, 0, 0],
            ],
            [
              [0, 0, 0],
              [0, 0, 0],
            ],
          ],
        ],
        output: 6,
      },
      { attrs: { axes: [] }, inputs: [[[0, 0, 0]]], output: 1 },
    ],
    graphs: [
      {
        name: "y * countOf(x, [0, 2]) (counts the batch)",
        build: ({ b, x }) => b.mul(x("y", ["B", 3]), b.countOf(x("x", ["B", 2, 4], shapeOnly), [0, 2])),
      },
      { name: "y / countOf(x)", build: ({ b, x }) => b.div(x("y", ["B", 3]), b.countOf(x("x", ["B", 2], shapeOnly))) },
      { name: "countOf(w, [-1]) * y", build: ({ b, x, p }) => b.mul(b.countOf(p("w", [2, 5], shapeOnly), [-1]), x("y", ["B", 3])) },
    ],
  },
  // sources and plumbing
  constant: {
    examples: [
      { attrs: { value: 2.5 }, inputs: [], output: 2.5 },
      {
        attrs: { value: -1, shape: [2, 2] },
        inputs: [],
        output: [
          [-1, -1],
          [-1, -1],
        ],
      },
      {
        attrs: { values: [1, 2, 3, 4, 5, 6], shape: [2, 3] },
        inputs: [],
        output: [
          [1, 2, 3],
          [4, 5, 6],
        ],
      },
    ],
    graphs: [
      { name: "x * constant [3]", build: ({ b, x }) => b.mul(x("x", ["B", 3]), b.constant([0.5, -2, 3], [3])) },
      { name: "x + scalar", build: ({ b, x }) => b.add(x("x", ["B", 3]), b.scalar(2.5)) },
      { name: "constant [2,3] alone", build: ({ b }) => b.constant([1, 2, 3, 4, 5, 6], [2, 3]) },
    ],
  },
  identity: {
    examples: [
      {
        inputs: [
          [
            [1, 2, 3],
            [4, -0, NaN],
          ],
        ],
        output: [
          [1, 2, 3],
          [4, -0, NaN],
        ],
      },
    ],
    graphs: [
      { name: "[B,3]", build: ({ b, x }) => b.identity(x("x", ["B", 3])) },
      { name: "param [2,3]", build: ({ b, p }) => b.identity(p("w", [2, 3])) },
    ],
  },
  oneHot: {
    examples: [
      {
        attrs: { depth: 3 },
        inputs: [[2, 0, 1]],
        output: [
          [0, 0, 1],
          [1, 0, 0],
          [0, 1, 0],
        ],
      },
    ],
    graphs: [
      { name: "class ids [B], depth 4: no gradient", build: ({ b, x }) => b.oneHot(x("c", ["B"], classIds(4)), 4) },
      { name: "oneHot(c, 4) * x", build: ({ b, x }) => b.mul(b.oneHot(x("c", ["B"], classIds(4)), 4), x("x", ["B", 4])) },
    ],
  },
  gather: {
    examples: [
      {
        inputs: [
          [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
          [2, 0, 2],
        ],
        output: [
          [5, 6],
          [1, 2],
          [5, 6],
        ],
      },
      // a table of scalars [V] gives one value per id
      {
        inputs: [
          [0.5, -1, 2],
          [1, 1, 0, 2],
        ],
        output: [-1, -1, 0.5, 2],
      },
      {
        inputs: [
          [
            [
              [1, 2],
              [3, 4],
            ],
            [
              [5, 6],
              [7, 8],
            ],
          ],
          [1],
        ],
        output: [
          [
            [5, 6],
            [7, 8],
          ],
        ],
      },
    ],
    graphs: [
      { name: "embedding [5, 3] by ids [B]", build: ({ b, x, p }) => b.gather(p("E", [5, 3]), x("ids", ["B"], classIds(5))) },
      // two rows for many ids: repeated ids must add their gradients
      { name: "table [2, 3], repeated ids, times x", build: ({ b, x, p }) => b.mul(b.gather(p("E", [2, 3]), x("ids", ["B"], classIds(2))), x("x", ["B", 3])) },
      { name: "table [4] of scalars", build: ({ b, x, p }) => b.gather(p("E", [4]), x("ids", ["B"], classIds(4))) },
      { name: "table [3, 2, 2]", build: ({ b, x, p }) => b.gather(p("E", [3, 2, 2]), x("ids", ["B"], classIds(3))) },
      { name: "unbatched ids [3]", build: ({ b, p }) => b.gather(p("E", [4, 2]), p("ids", [3], classIds(4))) },
    ],
  },
  // per-row losses, shape [B]
  mse: {
    examples: [
      {
        inputs: [
          [
            [1, 2],
            [3, 5],
          ],
          [
            [0, 0],
            [3, 3],
          ],
        ],
        output: [2.5, 2],
      },
    ],
    graphs: [
      { name: "[B,3] vs [B,3]", build: ({ b, x }) => b.mse(x("pred", ["B", 3]), x("target", ["B", 3])) },
      { name: "x W vs [B,2]", build: ({ b, x, p }) => b.mse(b.matmul(x("x", ["B", 3]), p("W", [3, 2])), x("target", ["B", 2])) },
      { name: "params [2,3] vs [2,3]", build: ({ b, p }) => b.mse(p("pred", [2, 3]), p("target", [2, 3])) },
    ],
  },
  softmaxCrossEntropy: {
    examples: [
      // -logSoftmax at the class, stable for large logits
      {
        inputs: [
          [
            [0, 0],
            [1000, 0],
            [0, Math.log(3)],
          ],
          [1, 1, 1],
        ],
        output: [Math.LN2, 1000, 0.28768207245],
        digits: 5,
      },
    ],
    graphs: [
      { name: "logits [B,4], class ids [B]", build: ({ b, x }) => b.softmaxCrossEntropy(x("logits", ["B", 4]), x("c", ["B"], classIds(4))) },
      {
        name: "logits x W, class ids [B]",
        build: ({ b, x, p }) => b.softmaxCrossEntropy(b.matmul(x("x", ["B", 3]), p("W", [3, 5])), x("c", ["B"], classIds(5))),
      },
      {
        name: "param logits [2,3], constant class ids",
        build: ({ b, p }) => b.softmaxCrossEntropy(p("logits", [2, 3]), b.constant([2, 0], [2])),
      },
      {
        name: "logits [B,5] in [-50, 50) (stability)",
        build: ({ b, x }) => b.softmaxCrossEntropy(x("logits", ["B", 5], wide(50)), x("c", ["B"], classIds(5))),
        // losses up to 100 swamp finite differences of the small ones
        gradient: false,
      },
    ],
  },
};
