import { describe, expect, it } from "vitest";
import type { Tensor } from "@unroll/ir";
import { computeGradients } from "@unroll/bptt";
import { expectClose, loadFloat64, randomParams, tensor, uniform } from "./support/bptt-fixtures.js";

// An oracle in the spirit of min-char-rnn's lossFun: the vanilla RNN with a
// linear head and mse, differentiated by hand with plain loops.
//   u_t = x_t W_in + h_{t-1} W_re + b,  h_t = f(u_t),  v_t = h_t W_out + b_out
//   E = mean over (t, b, o) of (v_t - y_t)^2
const T = 5;
const B = 2;
const I = 3;
const H = 4;
const O = 2;

type Mat = number[][];
const zerosM = (r: number, c: number): Mat => Array.from({ length: r }, () => new Array<number>(c).fill(0));
const matOf = (t: Tensor, r: number, c: number, offset = 0): Mat =>
  Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => t.data[offset + i * c + j]));
const flat = (ms: Mat[], shape: number[]): Tensor => ({ shape, data: Float64Array.from(ms.flatMap((m) => m.flat())) });

/** a · b for [r, k] · [k, c]. */
function mm(a: Mat, b: Mat): Mat {
  const out = zerosM(a.length, b[0].length);
  for (let i = 0; i < a.length; i++) for (let k = 0; k < b.length; k++) for (let j = 0; j < b[0].length; j++) out[i][j] += a[i][k] * b[k][j];
  return out;
}
const tr = (a: Mat): Mat => a[0].map((_, j) => a.map((r) => r[j]));
const addM = (a: Mat, b: Mat): Mat => a.map((r, i) => r.map((v, j) => v + b[i][j]));

type Activation = "tanh" | "relu" | "sigmoid";
const act: Record<Activation, { f: (u: number) => number; df: (u: number, h: number) => number }> = {
  // backprop through tanh: (1 - h^2)
  tanh: { f: Math.tanh, df: (_u, h) => 1 - h * h },
  relu: { f: (u) => Math.max(u, 0), df: (u) => (u > 0 ? 1 : 0) },
  // backprop through sigmoid: h (1 - h)
  sigmoid: { f: (u) => 1 / (1 + Math.exp(-u)), df: (_u, h) => h * (1 - h) },
};

interface HandGrads {
  readonly loss: number;
  readonly grads: Record<string, Tensor>;
  readonly dx: Tensor;
  readonly dh0: Tensor;
}

/** Forward pass and the delta recursion, with plain loops. */
function handBptt(p: Record<string, Tensor>, x: Tensor, y: Tensor, h0: Tensor, a: Activation): HandGrads {
  const wIn = matOf(p["layers.0.W_in"], I, H);
  const wRe = matOf(p["layers.0.W_re"], H, H);
  const b = Array.from(p["layers.0.b"].data);
  const wOut = matOf(p["head.W"], H, O);
  const bOut = Array.from(p["head.b"].data);
  const xs = Array.from({ length: T }, (_, t) => matOf(x, B, I, t * B * I));
  const ys = Array.from({ length: T }, (_, t) => matOf(y, B, O, t * B * O));
  const hs: Mat[] = [matOf(h0, B, H)]; // hs[t] = h_t, hs[0] = h_0
  const us: Mat[] = [[]];
  const vs: Mat[] = [[]];
  let loss = 0;
  const n = T * B * O;
  for (let t = 1; t <= T; t++) {
    const u = addM(mm(xs[t - 1], wIn), mm(hs[t - 1], wRe)).map((r) => r.map((v, j) => v + b[j]));
    us.push(u);
    hs.push(u.map((r) => r.map(act[a].f)));
    const v = mm(hs[t], wOut).map((r) => r.map((val, j) => val + bOut[j]));
    vs.push(v);
    for (let i = 0; i < B; i++) for (let o = 0; o < O; o++) loss += (v[i][o] - ys[t - 1][i][o]) ** 2 / n;
  }
  const dWIn = zerosM(I, H);
  const dWRe = zerosM(H, H);
  const db = new Array<number>(H).fill(0);
  const dWOut = zerosM(H, O);
  const dbOut = new Array<number>(O).fill(0);
  const dxs: Mat[] = new Array<Mat>(T);
  let deltaReNext = zerosM(B, H); // delta_re_{t+1}
  for (let t = T; t >= 1; t--) {
    // delta_out_t = dE/dv_t
    const deltaOut = vs[t].map((r, i) => r.map((v, o) => (2 * (v - ys[t - 1][i][o])) / n));
    // delta_re_t = (delta_out_t W_out^T + delta_re_{t+1} W_re^T) * f'(u_t)
    const dh = addM(mm(deltaOut, tr(wOut)), mm(deltaReNext, tr(wRe)));
    const deltaRe = dh.map((r, i) => r.map((v, j) => v * act[a].df(us[t][i][j], hs[t][i][j])));
    const acc = (target: Mat, g: Mat) => g.forEach((r, i) => r.forEach((v, j) => (target[i][j] += v)));
    acc(dWOut, mm(tr(hs[t]), deltaOut));
    acc(dWRe, mm(tr(hs[t - 1]), deltaRe));
    acc(dWIn, mm(tr(xs[t - 1]), deltaRe));
    deltaOut.forEach((r) => r.forEach((v, o) => (dbOut[o] += v)));
    deltaRe.forEach((r) => r.forEach((v, j) => (db[j] += v)));
    dxs[t - 1] = mm(deltaRe, tr(wIn));
    deltaReNext = deltaRe;
  }
  // dE/dh_0 = delta_re_1 W_re^T
  const dh0 = mm(deltaReNext, tr(wRe));
  return {
    loss,
    grads: {
      "layers.0.W_in": flat([dWIn], [I, H]),
      "layers.0.W_re": flat([dWRe], [H, H]),
      "layers.0.b": flat([[db]], [H]),
      "head.W": flat([dWOut], [H, O]),
      "head.b": flat([[dbOut]], [O]),
    },
    dx: flat(dxs, [T, B, I]),
    dh0: flat([dh0], [B, H]),
  };
}

describe("unrolled autodiff equals the hand-written BPTT of a vanilla RNN", () => {
  for (const activation of ["tanh", "relu", "sigmoid"] as const) {
    it(`${activation}: loss, every parameter gradient, dE/dx and dE/dh_0 agree to 1e-12`, async () => {
      const { program, loaded } = await loadFloat64({
        input: I,
        layers: [{ cell: "rnn", hidden: H, activation }],
        head: { units: O, activation: "linear" },
        loss: "mse",
      });
      const params = randomParams(program, 101, 0.7);
      const next = uniform(202);
      const x = tensor([T, B, I], next);
      const y = tensor([T, B, O], next);
      const h0 = tensor([B, H], next);
      const res = await computeGradients(loaded, program, params, { sequences: { x, y }, initialState: { "layers.0.h": h0 } }, { kind: "full" });
      const hand = handBptt(params, x, y, h0, activation);
      expect(Math.abs(res.loss - hand.loss)).toBeLessThan(1e-12);
      expect(Object.keys(res.grads).sort()).toEqual(Object.keys(hand.grads).sort());
      for (const [name, g] of Object.entries(hand.grads)) expectClose(`grads.${name}`, res.grads[name], g, 1e-12, 0);
      expectClose("inputGrads.x", res.inputGrads.x, hand.dx, 1e-12, 0);
      expectClose("initialStateGrads.h", res.initialStateGrads["layers.0.h"], hand.dh0, 1e-12, 0);
    });
  }
});
