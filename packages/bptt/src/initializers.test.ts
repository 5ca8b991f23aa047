import { describe, expect, it } from "vitest";
import { checkProgram, compileModel, GraphError, type LayerSpec, type ModelSpec } from "@unroll/ir";
import { createRng, initParams } from "./init.js";
import { initValues, normalFrom } from "./initializers.js";
import { orthogonalMatrix } from "./orthogonal.js";

/** The largest |(MᵀM or MMᵀ) - I| of a rows × cols matrix: Gram of its columns when tall, of its rows when wide. */
function orthogonalityError(m: ArrayLike<number>, rows: number, cols: number, stride = cols, offset = 0): number {
  const tall = rows >= cols;
  const k = Math.min(rows, cols);
  const n = Math.max(rows, cols);
  const at = (i: number, j: number) => (tall ? m[offset + i * stride + j] : m[offset + j * stride + i]);
  let worst = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += at(i, a) * at(i, b);
      worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

const moments = (v: ArrayLike<number>) => {
  const xs = Array.from(v);
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  return { mean, variance, min: Math.min(...xs), max: Math.max(...xs) };
};

const lstmSpec = (init: LayerSpec["init"], hidden = 3): ModelSpec => ({
  input: 2,
  layers: [{ cell: "lstm", hidden, init }],
  head: { units: 1, activation: "linear" },
  loss: "mse",
});

describe("orthogonalMatrix", () => {
  for (const [rows, cols] of [
    [8, 8],
    [12, 5],
    [5, 12],
    [64, 64],
  ]) {
    it(`has orthonormal ${rows >= cols ? "columns" : "rows"} to 1e-6 (${rows}×${cols})`, () => {
      const normal = normalFrom(createRng(rows * 100 + cols));
      const q = orthogonalMatrix(rows, cols, normal);
      expect(orthogonalityError(q, rows, cols)).toBeLessThan(1e-6);
      // not the identity or a permutation: the draw is random
      expect(Array.from(q).filter((v) => Math.abs(v) > 1e-3).length).toBeGreaterThan(rows * cols * 0.9);
    });
  }

  it("scales by the gain, per gate block of an LSTM's W_re, in float64", () => {
    const H = 6;
    const program = checkProgram(compileModel(lstmSpec({ recurrentWeights: { kind: "orthogonal", gain: 2 } }, H)));
    const w = initParams(program, 7, "float64")["layers.0.W_re"];
    expect(w.shape).toEqual([H, 4 * H]);
    const halved = w.data.map((v) => v / 2);
    for (let gate = 0; gate < 4; gate++) expect(orthogonalityError(halved, H, H, 4 * H, gate * H)).toBeLessThan(1e-6);
    // the whole [H, 4H] is not orthogonal: the gates are drawn independently
    expect(orthogonalityError(halved, H, 4 * H)).toBeGreaterThan(0.1);
  });
});

describe("forget bias", () => {
  it("is exactly the value in the f block of b, and the other blocks keep the bias initializer", () => {
    const program = checkProgram(compileModel(lstmSpec({ bias: { kind: "zeros" }, forgetBias: 1 })));
    expect(Array.from(initParams(program, 3, "float32")["layers.0.b"].data)).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });

  it("leaves i, g, o with the default uniform(±1/sqrt(H)) without a bias initializer, in both directions", () => {
    const H = 4;
    const spec: ModelSpec = { input: 2, layers: [{ cell: "lstm", hidden: H, bidirectional: true, init: { forgetBias: 1.5 } }] };
    const params = initParams(checkProgram(compileModel(spec)), 3, "float64");
    for (const name of ["layers.0.b", "layers.0.b_reverse"]) {
      const b = Array.from(params[name].data);
      expect(b.slice(H, 2 * H)).toEqual([1.5, 1.5, 1.5, 1.5]);
      const rest = [...b.slice(0, H), ...b.slice(2 * H)];
      expect(rest.every((v) => Math.abs(v) <= 1 / Math.sqrt(H))).toBe(true);
      expect(new Set(rest).size).toBe(rest.length);
    }
  });

  it("is refused on a cell without a forget gate", () => {
    expect(() => compileModel({ input: 2, layers: [{ cell: "gru", hidden: 3, init: { forgetBias: 1 } }] })).toThrow(
      /layers\[0\]\.init\.forgetBias: "forgetBias" applies to lstm layers only, not gru/,
    );
  });
});

describe("statistics of random initializers", () => {
  const rng = createRng(11);
  const n = 40000;

  it("uniform lies in [low, high) with mean and variance of U(low, high)", () => {
    const m = moments(initValues({ kind: "uniform", low: -2, high: 3 }, [n], rng));
    expect(m.min).toBeGreaterThanOrEqual(-2);
    expect(m.max).toBeLessThan(3);
    // standard error of the mean: (5/sqrt(12))/sqrt(n) ≈ 0.0072; 5 of them
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(0.036);
    expect(m.variance).toBeCloseTo(25 / 12, 1);
  });

  it("glorotUniform lies within gain·sqrt(6/(fan_in + fan_out)) and fills it", () => {
    const [rows, cols] = [120, 330];
    const bound = 0.5 * Math.sqrt(6 / (rows + cols));
    const m = moments(initValues({ kind: "glorotUniform", gain: 0.5 }, [rows, cols], rng));
    expect(Math.max(-m.min, m.max)).toBeLessThanOrEqual(bound);
    expect(Math.min(-m.min, m.max)).toBeGreaterThan(0.99 * bound);
    expect(Math.abs(m.mean)).toBeLessThan((5 * bound) / Math.sqrt(3 * rows * cols));
    expect(m.variance / ((bound * bound) / 3)).toBeCloseTo(1, 1);
  });

  it("normal has the given mean and standard deviation", () => {
    const m = moments(initValues({ kind: "normal", mean: 1, std: 0.1 }, [n], rng));
    expect(Math.abs(m.mean - 1)).toBeLessThan((5 * 0.1) / Math.sqrt(n));
    expect(Math.sqrt(m.variance)).toBeCloseTo(0.1, 2);
  });

  it("constant and zeros are exact", () => {
    expect(Array.from(initValues({ kind: "constant", value: 0.25 }, [2, 2], rng))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(initValues({ kind: "zeros" }, [3], rng))).toEqual([0, 0, 0]);
  });

  it("blocks fill equal column blocks of the last axis, row by row", () => {
    const v = initValues({ kind: "blocks", blocks: [{ kind: "constant", value: 1 }, { kind: "zeros" }, { kind: "constant", value: 2 }] }, [2, 6], rng);
    expect(Array.from(v)).toEqual([1, 1, 0, 0, 2, 2, 1, 1, 0, 0, 2, 2]);
  });
});

describe("initializers in programs and specs", () => {
  it("reach every param named by the spec, and only those", () => {
    const spec: ModelSpec = {
      input: 2,
      layers: [{ cell: "gru", hidden: 2, init: { inputWeights: { kind: "constant", value: 0.5 }, bias: { kind: "zeros" } } }],
      head: { units: 1, activation: "linear", init: { weights: { kind: "constant", value: -1 } } },
    };
    const program = compileModel(spec);
    expect(Object.keys(program.init ?? {}).sort()).toEqual(["head.W", "layers.0.W_in", "layers.0.b_in", "layers.0.b_re"]);
    const params = initParams(checkProgram(program), 1, "float64");
    expect(Array.from(params["layers.0.W_in"].data)).toEqual(Array(12).fill(0.5));
    expect(Array.from(params["layers.0.b_re"].data)).toEqual(Array(6).fill(0));
    expect(Array.from(params["head.W"].data)).toEqual([-1, -1]);
    expect(Array.from(params["head.b"].data).every((v) => v !== 0 && Math.abs(v) <= 1 / Math.sqrt(2))).toBe(true);
  });

  it("leave a spec without init with no init field and the default weights", () => {
    const plain = compileModel(lstmSpec(undefined));
    expect(plain.init).toBeUndefined();
    const a = initParams(checkProgram(plain), 5, "float64");
    const b = initParams(checkProgram(compileModel(lstmSpec({}))), 5, "float64");
    expect(b).toEqual(a);
  });

  it("are refused, with the param and what is valid, when they do not fit", () => {
    const program = compileModel(lstmSpec(undefined));
    const withInit = (init: unknown) => () => checkProgram({ ...program, init } as typeof program);
    expect(withInit({ "layers.0.b": { kind: "orthogonal" } })).toThrow(
      /init\["layers.0.b"\]: param "layers.0.b" of shape \[12\]: orthogonal fills matrices only/,
    );
    expect(withInit({ "layers.0.W": { kind: "zeros" } })).toThrow(/"layers.0.W" is not a param of the program; params: .*layers.0.W_in/);
    expect(
      withInit({ "layers.0.b": { kind: "blocks", blocks: [{ kind: "zeros" }, { kind: "zeros" }, { kind: "zeros" }, { kind: "zeros" }, { kind: "zeros" }] } }),
    ).toThrow(/5 blocks need a last axis divisible by 5/);
    expect(withInit({ "head.b": { kind: "uniform", low: 1, high: 1 } })).toThrow(/uniform needs low < high/);
    expect(() => compileModel(lstmSpec({ recurrentWeights: { kind: "orthogonl" } as never }))).toThrow(GraphError);
  });
});
