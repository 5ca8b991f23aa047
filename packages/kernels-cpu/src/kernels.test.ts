import { describe, expect, it } from "vitest";
import { fromNested, opOf, sizeOf, zeros, type Dtype, type Nested, type NodeOf, type OpKind, type Tensor } from "@unroll/ir";
import { cpuKernels } from "./index.js";

/** Runs one kernel the way the executor does: output shape from the op's shape rule, output memory dirty. */
function run<K extends OpKind>(op: K, attrs: NodeOf<K>["attrs"], inputs: Tensor[], dtype: Dtype): Tensor {
  const node = { id: "y", op, inputs: inputs.map((_, i) => `x${i}`), attrs } as NodeOf<K>;
  const shape = opOf(node).shape(
    inputs.map((t) => t.shape),
    node,
  ) as number[];
  const out = zeros(shape, dtype);
  out.data.fill(NaN); // reused memory: the kernel must overwrite every element
  cpuKernels[op](node, inputs, out);
  return out;
}

/** A tensor from nested arrays, or a scalar tensor from a number. */
function t(value: Nested, dtype: Dtype): Tensor {
  return fromNested(value, dtype);
}

/** Expects `actual` to have `shape` and the elements of `expected` (to `digits` decimals when given). */
function expectTensor(actual: Tensor, shape: number[], expected: Nested, digits?: number): void {
  expect(actual.shape).toEqual(shape);
  const want = fromNested(expected, "float64").data;
  expect(actual.data.length).toBe(want.length);
  if (digits === undefined) expect([...actual.data]).toEqual([...want]);
  else want.forEach((w, i) => expect(actual.data[i]).toBeCloseTo(w, digits));
}

/** A deterministic pseudo-random tensor of small integers (exact in float32 products and sums). */
function ints(shape: number[], dtype: Dtype, seed: number): Tensor {
  const out = zeros(shape, dtype);
  let s = seed;
  for (let i = 0; i < out.data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out.data[i] = (s % 7) - 3;
  }
  return out;
}

/** Naive broadcasting reference: maps each output index to each operand by its own coordinates. */
function naiveBinary(a: Tensor, b: Tensor, outShape: number[], f: (x: number, y: number) => number): number[] {
  const at = (x: Tensor, coords: number[]): number => {
    const c = coords.slice(coords.length - x.shape.length);
    let off = 0;
    x.shape.forEach((d, i) => (off = off * d + (d === 1 ? 0 : c[i])));
    return x.data[off];
  };
  const res: number[] = [];
  for (let i = 0; i < sizeOf(outShape); i++) {
    const coords: number[] = [];
    let r = i;
    for (let d = outShape.length - 1; d >= 0; d--) {
      coords.unshift(r % outShape[d]);
      r = Math.floor(r / outShape[d]);
    }
    res.push(f(at(a, coords), at(b, coords)));
  }
  return res;
}

/** Naive `op(a) · op(b)` with explicit transposes. */
function naiveMatmul(a: Tensor, b: Tensor, tA: boolean, tB: boolean): number[] {
  const get = (x: Tensor, tr: boolean, i: number, j: number) => (tr ? x.data[j * x.shape[1] + i] : x.data[i * x.shape[1] + j]);
  const m = tA ? a.shape[1] : a.shape[0];
  const k = tA ? a.shape[0] : a.shape[1];
  const n = tB ? b.shape[0] : b.shape[1];
  const res: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += get(a, tA, i, p) * get(b, tB, p, j);
      res.push(s);
    }
  }
  return res;
}

describe.each<Dtype>(["float32", "float64"])("cpu kernels in %s", (dtype) => {
  const T = dtype === "float64" ? Float64Array : Float32Array;

  describe("elementwise binary ops", () => {
    it("computes equal shapes", () => {
      const a = t(
        [
          [1, 2],
          [3, 4],
        ],
        dtype,
      );
      const b = t(
        [
          [4, 3],
          [2, 8],
        ],
        dtype,
      );
      expectTensor(
        run("add", undefined, [a, b], dtype),
        [2, 2],
        [
          [5, 5],
          [5, 12],
        ],
      );
      expectTensor(
        run("sub", undefined, [a, b], dtype),
        [2, 2],
        [
          [-3, -1],
          [1, -4],
        ],
      );
      expectTensor(
        run("mul", undefined, [a, b], dtype),
        [2, 2],
        [
          [4, 6],
          [6, 32],
        ],
      );
      expectTensor(
        run("div", undefined, [a, b], dtype),
        [2, 2],
        [
          [0.25, 2 / 3],
          [1.5, 0.5],
        ],
        6,
      );
    });

    it("keeps the dtype of its output", () => {
      expect(run("add", undefined, [t([1], dtype), t([2], dtype)], dtype).data).toBeInstanceOf(T);
    });

    it("broadcasts in rank 1: [3] with [1] and [1] with [3]", () => {
      expectTensor(run("sub", undefined, [t([1, 2, 3], dtype), t([1], dtype)], dtype), [3], [0, 1, 2]);
      expectTensor(run("sub", undefined, [t([10], dtype), t([1, 2, 3], dtype)], dtype), [3], [9, 8, 7]);
    });

    it("adds a bias along leading axes: [2, 3] + [3]", () => {
      const x = t(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        dtype,
      );
      expectTensor(
        run("add", undefined, [x, t([10, 20, 30], dtype)], dtype),
        [2, 3],
        [
          [11, 22, 33],
          [14, 25, 36],
        ],
      );
      expectTensor(
        run("sub", undefined, [t([10, 20, 30], dtype), x], dtype),
        [2, 3],
        [
          [9, 18, 27],
          [6, 15, 24],
        ],
      );
    });

    it("broadcasts along trailing axes: [2, 3] * [2, 1]", () => {
      const x = t(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        dtype,
      );
      const c = t([[2], [-1]], dtype);
      expectTensor(
        run("mul", undefined, [x, c], dtype),
        [2, 3],
        [
          [2, 4, 6],
          [-4, -5, -6],
        ],
      );
      expectTensor(
        run("div", undefined, [c, x], dtype),
        [2, 3],
        [
          [2, 1, 2 / 3],
          [-0.25, -0.2, -1 / 6],
        ],
        6,
      );
    });

    it("broadcasts a scalar either side", () => {
      const x = t(
        [
          [1, 2],
          [3, 4],
        ],
        dtype,
      );
      expectTensor(
        run("sub", undefined, [t(1, dtype), x], dtype),
        [2, 2],
        [
          [0, -1],
          [-2, -3],
        ],
      );
      expectTensor(
        run("mul", undefined, [x, t(3, dtype)], dtype),
        [2, 2],
        [
          [3, 6],
          [9, 12],
        ],
      );
    });

    it("broadcasts both operands: [3, 1] + [1, 2] and rank 3 [2, 1, 3] + [2, 1]", () => {
      const col = t([[1], [2], [3]], dtype);
      expectTensor(
        run("add", undefined, [col, t([[10, 20]], dtype)], dtype),
        [3, 2],
        [
          [11, 21],
          [12, 22],
          [13, 23],
        ],
      );
      const a = t([[[1, 2, 3]], [[4, 5, 6]]], dtype);
      const b = t([[100], [200]], dtype);
      expectTensor(
        run("add", undefined, [a, b], dtype),
        [2, 2, 3],
        [
          [
            [101, 102, 103],
            [201, 202, 203],
          ],
          [
            [104, 105, 106],
            [204, 205, 206],
          ],
        ],
      );
    });

    it("broadcasts rank 3 against rank 2 along leading axes: [2, 2, 2] - [2, 2]", () => {
      const a = t(
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
        dtype,
      );
      const b = t(
        [
          [1, 1],
          [2, 2],
        ],
        dtype,
      );
      expectTensor(
        run("sub", undefined, [a, b], dtype),
        [2, 2, 2],
        [
          [
            [0, 1],
            [1, 2],
          ],
          [
            [4, 5],
            [5, 6],
          ],
        ],
      );
    });

    it("agrees with a naive reference on many shape pairs", () => {
      const pairs: [number[], number[]][] = [
        [[2, 3, 4], [4]],
        [
          [2, 3, 4],
          [3, 1],
        ],
        [
          [2, 1, 4],
          [1, 3, 1],
        ],
        [
          [1, 3, 1],
          [2, 1, 4],
        ],
        [
          [2, 3, 4],
          [2, 1, 4],
        ],
        [
          [2, 3, 4],
          [2, 3, 1],
        ],
        [
          [3, 4],
          [2, 1, 1],
        ],
        [[4], [2, 3, 4]],
        [[], [2, 3]],
        [[2, 3], []],
      ];
      pairs.forEach(([sa, sb], n) => {
        const a = ints(sa, dtype, 2 * n + 1);
        const b = ints(sb, dtype, 2 * n + 2);
        const out = run("mul", undefined, [a, b], dtype);
        expect([...out.data]).toEqual(naiveBinary(a, b, out.shape as number[], (x, y) => x * y));
      });
    });
  });

  describe("elementwise unary ops", () => {
    const x = () => t([-2, -0.5, 0, 0.5, 3], dtype);

    it("neg, relu and step", () => {
      expectTensor(run("neg", undefined, [x()], dtype), [5], [2, 0.5, -0, -0.5, -3]);
      expectTensor(run("relu", undefined, [x()], dtype), [5], [0, 0, 0, 0.5, 3]);
      expectTensor(run("step", undefined, [x()], dtype), [5], [0, 0, 0, 1, 1]);
    });

    it("tanh, sigmoid, exp and log", () => {
      const v = [-2, -0.5, 0, 0.5, 3];
      expectTensor(run("tanh", undefined, [x()], dtype), [5], v.map(Math.tanh), 6);
      expectTensor(
        run("sigmoid", undefined, [x()], dtype),
        [5],
        v.map((e) => 1 / (1 + Math.exp(-e))),
        6,
      );
      expectTensor(run("sigmoid", undefined, [t([0, -1000, 1000], dtype)], dtype), [3], [0.5, 0, 1]);
      expectTensor(run("exp", undefined, [t([0, 1], dtype)], dtype), [2], [1, Math.E], 6);
      expectTensor(run("log", undefined, [t([1, Math.E], dtype)], dtype), [2], [0, 1], 6);
      expect(run("log", undefined, [t([0], dtype)], dtype).data[0]).toBe(-Infinity);
    });
  });

  describe("matmul", () => {
    it("computes a hand-checked product", () => {
      const a = t(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        dtype,
      );
      const b = t(
        [
          [7, 8],
          [9, 10],
          [11, 12],
        ],
        dtype,
      );
      expectTensor(
        run("matmul", undefined, [a, b], dtype),
        [2, 2],
        [
          [58, 64],
          [139, 154],
        ],
      );
    });

    it.each([
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ])("transposeA=%s transposeB=%s agrees with the naive reference", (tA, tB) => {
      const [m, k, n] = [3, 4, 5];
      const a = ints(tA ? [k, m] : [m, k], dtype, 7);
      const b = ints(tB ? [n, k] : [k, n], dtype, 11);
      const out = run("matmul", { transposeA: tA, transposeB: tB }, [a, b], dtype);
      expect(out.shape).toEqual([m, n]);
      expect([...out.data]).toEqual(naiveMatmul(a, b, tA, tB));
    });

    it("accumulates in float64", () => {
      // 2^24 + 1 + 1 loses both ones in float32 arithmetic, but not in float64
      const a = t([[16777216, 1, 1]], dtype);
      const b = t([[1], [1], [1]], dtype);
      expectTensor(run("matmul", undefined, [a, b], dtype), [1, 1], [[16777218]]);
      expectTensor(run("matmul", { transposeB: true }, [a, t([[1, 1, 1]], dtype)], dtype), [1, 1], [[16777218]]);
    });
  });

  describe("softmax and logSoftmax", () => {
    it("softmax of [1, 2, 3] and of a constant row", () => {
      const e = [1, 2, 3].map(Math.exp);
      const s = e[0] + e[1] + e[2];
      const out = run(
        "softmax",
        undefined,
        [
          t(
            [
              [1, 2, 3],
              [5, 5, 5],
            ],
            dtype,
          ),
        ],
        dtype,
      );
      expectTensor(out, [2, 3], [e.map((v) => v / s), [1 / 3, 1 / 3, 1 / 3]], 6);
    });

    it("stays finite with large inputs and rows sum to 1", () => {
      const out = run(
        "softmax",
        undefined,
        [
          t(
            [
              [1000, 1000],
              [1000, 0],
              [-1000, 1000],
            ],
            dtype,
          ),
        ],
        dtype,
      );
      expectTensor(
        out,
        [3, 2],
        [
          [0.5, 0.5],
          [1, 0],
          [0, 1],
        ],
        6,
      );
      for (let r = 0; r < 3; r++) expect(out.data[2 * r] + out.data[2 * r + 1]).toBeCloseTo(1, 6);
    });

    it("logSoftmax is x - max - log Σ exp(x - max), finite for large inputs", () => {
      const out = run(
        "logSoftmax",
        undefined,
        [
          t(
            [
              [0, 0],
              [1000, 1000],
              [1000, 0],
            ],
            dtype,
          ),
        ],
        dtype,
      );
      expectTensor(
        out,
        [3, 2],
        [
          [-Math.LN2, -Math.LN2],
          [-Math.LN2, -Math.LN2],
          [0, -1000],
        ],
        5,
      );
    });

    it("normalizes over the last axis of a rank-3 value", () => {
      const out = run("softmax", undefined, [t([[[0, 0]], [[0, Math.log(3)]]], dtype)], dtype);
      expectTensor(out, [2, 1, 2], [[[0.5, 0.5]], [[0.25, 0.75]]], 6);
    });
  });

  describe("losses", () => {
    it("softmaxCrossEntropy is -logSoftmax at the class", () => {
      const logits = t(
        [
          [0, 0],
          [1000, 0],
          [0, Math.log(3)],
        ],
        dtype,
      );
      const out = run("softmaxCrossEntropy", undefined, [logits, t([1, 1, 1], dtype)], dtype);
      expectTensor(out, [3], [Math.LN2, 1000, Math.log(4 / 3)], 5);
    });

    it.each([2, -1, 0.5, NaN])("softmaxCrossEntropy rejects class id %s naming the row", (bad) => {
      const classes = zeros([2], dtype);
      classes.data[1] = bad;
      expect(() =>
        run(
          "softmaxCrossEntropy",
          undefined,
          [
            t(
              [
                [0, 0],
                [0, 0],
              ],
              dtype,
            ),
            classes,
          ],
          dtype,
        ),
      ).toThrow(`row 1 has class id ${bad}`);
    });

    it("mse is the mean over columns of (p - t)^2 per row", () => {
      const p = t(
        [
          [1, 2],
          [3, 5],
        ],
        dtype,
      );
      const target = t(
        [
          [0, 0],
          [3, 3],
        ],
        dtype,
      );
      expectTensor(run("mse", undefined, [p, target], dtype), [2], [2.5, 2]);
    });
  });

  describe("reductions", () => {
    const x = () =>
      t(
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
        dtype,
      ); // [2, 2, 3]

    it("sum over all axes by default, and over chosen axes", () => {
      expectTensor(run("sum", undefined, [x()], dtype), [], 78);
      expectTensor(
        run("sum", { axes: [0] }, [x()], dtype),
        [2, 3],
        [
          [8, 10, 12],
          [14, 16, 18],
        ],
      );
      expectTensor(
        run("sum", { axes: [-1] }, [x()], dtype),
        [2, 2],
        [
          [6, 15],
          [24, 33],
        ],
      );
      expectTensor(
        run("sum", { axes: [1] }, [x()], dtype),
        [2, 3],
        [
          [5, 7, 9],
          [17, 19, 21],
        ],
      );
      expectTensor(run("sum", { axes: [0, 2] }, [x()], dtype), [2], [30, 48]);
    });

    it("sum with keepDims", () => {
      expectTensor(
        run("sum", { axes: [-1], keepDims: true }, [x()], dtype),
        [2, 2, 1],
        [
          [[6], [15]],
          [[24], [33]],
        ],
      );
      expectTensor(run("sum", { keepDims: true }, [x()], dtype), [1, 1, 1], [[[78]]]);
    });

    it("mean over all axes and over chosen axes", () => {
      expectTensor(run("mean", undefined, [x()], dtype), [], 6.5);
      expectTensor(run("mean", { axes: [0, 1] }, [x()], dtype), [3], [5.5, 6.5, 7.5]);
      expectTensor(
        run(
          "mean",
          { axes: [-1], keepDims: true },
          [
            t(
              [
                [1, 2],
                [3, 5],
              ],
              dtype,
            ),
          ],
          dtype,
        ),
        [2, 1],
        [[1.5], [4]],
      );
    });

    it("accumulates in float64", () => {
      expectTensor(run("sum", undefined, [t([16777216, 1, 1], dtype)], dtype), [], 16777218);
    });

    it("sumTo reverses broadcasting", () => {
      const m = t(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        dtype,
      );
      expectTensor(run("sumTo", undefined, [m, zeros([3], dtype)], dtype), [3], [5, 7, 9]);
      expectTensor(run("sumTo", undefined, [m, zeros([1, 3], dtype)], dtype), [1, 3], [[5, 7, 9]]);
      expectTensor(run("sumTo", undefined, [m, zeros([2, 1], dtype)], dtype), [2, 1], [[6], [15]]);
      expectTensor(run("sumTo", undefined, [m, zeros([], dtype)], dtype), [], 21);
      expectTensor(
        run("sumTo", undefined, [m, zeros([2, 3], dtype)], dtype),
        [2, 3],
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      );
      expectTensor(run("sumTo", undefined, [x(), zeros([2, 1, 3], dtype)], dtype), [2, 1, 3], [[[5, 7, 9]], [[17, 19, 21]]]);
      expectTensor(run("sumTo", undefined, [x(), zeros([2, 1], dtype)], dtype), [2, 1], [[30], [48]]);
    });

    it("broadcastTo is the reverse of sumTo", () => {
      expectTensor(
        run("broadcastTo", undefined, [t([1, 2], dtype), zeros([2, 2], dtype)], dtype),
        [2, 2],
        [
          [1, 2],
          [1, 2],
        ],
      );
      expectTensor(
        run("broadcastTo", undefined, [t([[1], [2]], dtype), zeros([2, 3], dtype)], dtype),
        [2, 3],
        [
          [1, 1, 1],
          [2, 2, 2],
        ],
      );
      expectTensor(run("broadcastTo", undefined, [t(7, dtype), zeros([2], dtype)], dtype), [2], [7, 7]);
      expectTensor(
        run("broadcastTo", undefined, [t([[[1, 2]], [[3, 4]]], dtype), zeros([2, 2, 2], dtype)], dtype),
        [2, 2, 2],
        [
          [
            [1, 2],
            [1, 2],
          ],
          [
            [3, 4],
            [3, 4],
          ],
        ],
      );
      expectTensor(
        run("broadcastTo", undefined, [t([[[1], [2]]], dtype), zeros([2, 2, 2], dtype)], dtype),
        [2, 2, 2],
        [
          [
            [1, 1],
            [2, 2],
          ],
          [
            [1, 1],
            [2, 2],
          ],
        ],
      );
    });

    it("countOf multiplies the dimensions along its axes", () => {
      expectTensor(run("countOf", undefined, [x()], dtype), [], 12);
      expectTensor(run("countOf", { axes: [0] }, [x()], dtype), [], 2);
      expectTensor(run("countOf", { axes: [-1, 1] }, [x()], dtype), [], 6);
      expectTensor(run("countOf", { axes: [] }, [x()], dtype), [], 1);
    });
  });

  describe("layout", () => {
    const m = () =>
      t(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        dtype,
      );

    it("reshape and identity copy the elements", () => {
      const r = run("reshape", { shape: [3, 2] }, [m()], dtype);
      expectTensor(
        r,
        [3, 2],
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      );
      expectTensor(
        run("identity", undefined, [m()], dtype),
        [2, 3],
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      );
    });

    it("slice takes columns [start, end) of the last axis", () => {
      expectTensor(
        run("slice", { start: 1, end: 3 }, [m()], dtype),
        [2, 2],
        [
          [2, 3],
          [5, 6],
        ],
      );
      expectTensor(run("slice", { start: 0, end: 1 }, [m()], dtype), [2, 1], [[1], [4]]);
    });

    it("pad adds zeros on the last axis", () => {
      expectTensor(
        run("pad", { before: 1, after: 2 }, [m()], dtype),
        [2, 6],
        [
          [0, 1, 2, 3, 0, 0],
          [0, 4, 5, 6, 0, 0],
        ],
      );
      expectTensor(
        run("pad", { before: 0, after: 0 }, [m()], dtype),
        [2, 3],
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      );
    });

    it("concat joins rows along the last axis", () => {
      const out = run(
        "concat",
        undefined,
        [
          m(),
          t([[7], [8]], dtype),
          t(
            [
              [9, 10],
              [11, 12],
            ],
            dtype,
          ),
        ],
        dtype,
      );
      expectTensor(
        out,
        [2, 6],
        [
          [1, 2, 3, 7, 9, 10],
          [4, 5, 6, 8, 11, 12],
        ],
      );
      const r3 = run("concat", undefined, [t([[[1], [2]]], dtype), t([[[3], [4]]], dtype)], dtype);
      expectTensor(
        r3,
        [1, 2, 2],
        [
          [
            [1, 3],
            [2, 4],
          ],
        ],
      );
    });
  });

  describe("sources", () => {
    it("constant fills from value or values", () => {
      expectTensor(run("constant", { value: 2.5 }, [], dtype), [], 2.5);
      expectTensor(
        run("constant", { value: -1, shape: [2, 2] }, [], dtype),
        [2, 2],
        [
          [-1, -1],
          [-1, -1],
        ],
      );
      expectTensor(
        run("constant", { values: [1, 2, 3, 4, 5, 6], shape: [2, 3] }, [], dtype),
        [2, 3],
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      );
    });

    it("oneHot builds rows from class ids", () => {
      expectTensor(
        run("oneHot", { depth: 3 }, [t([2, 0, 1], dtype)], dtype),
        [3, 3],
        [
          [0, 0, 1],
          [1, 0, 0],
          [0, 1, 0],
        ],
      );
      expect(() => run("oneHot", { depth: 3 }, [t([0, 3], dtype)], dtype)).toThrow("row 1 has class id 3");
    });

    it.each([3, -1, 0.5])("gather rejects id %s naming the row and the valid ids", (bad) => {
      const table = t(
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        dtype,
      );
      expect(() => run("gather", undefined, [table, t([0, bad], dtype)], dtype)).toThrow(`gather: row 1 has id ${bad}, which is not an integer in [0, 3)`);
    });
  });
});
