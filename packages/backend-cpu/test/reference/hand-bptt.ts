import type { Tensor } from "@unroll/ir";

// Oracles in the spirit of min-char-rnn's lossFun: one recurrent layer with a
// linear head and mse (mean over steps, rows and outputs), differentiated by
// hand with plain loops. They return the state deltas dE/dh_t (and dE/dc_t for
// the LSTM) at every step besides the gradients, to check gradient flow.

/** A row-major matrix. */
export type Mat = number[][];

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
const mapM = (a: Mat, f: (v: number, i: number, j: number) => number): Mat => a.map((r, i) => r.map((v, j) => f(v, i, j)));
const accumulate = (target: Mat, g: Mat): void => g.forEach((r, i) => r.forEach((v, j) => (target[i][j] += v)));
const sigmoid = (u: number): number => 1 / (1 + Math.exp(-u));
const cols = (m: Mat, k: number, H: number): Mat => m.map((r) => r.slice(k * H, (k + 1) * H));

/** The activations of the vanilla RNN, with their derivative from the pre-activation u and the value h. */
export type Activation = "tanh" | "relu" | "sigmoid";
const act: Record<Activation, { f: (u: number) => number; df: (u: number, h: number) => number }> = {
  // backprop through tanh: (1 - h^2)
  tanh: { f: Math.tanh, df: (_u, h) => 1 - h * h },
  relu: { f: (u) => Math.max(u, 0), df: (u) => (u > 0 ? 1 : 0) },
  // backprop through sigmoid: h (1 - h)
  sigmoid: { f: sigmoid, df: (_u, h) => h * (1 - h) },
};

/** What a hand-written BPTT computes. */
export interface HandGrads {
  /** Mean squared error over every step, row and output. */
  readonly loss: number;
  /** Gradients of every parameter, by the spec's names. */
  readonly grads: Record<string, Tensor>;
  /** dE/dx `[T, B, I]`. */
  readonly dx: Tensor;
  /** dE/dh_0 `[B, H]`. */
  readonly dh0: Tensor;
  /** By state name, dE/ds_t `[B, H]` for the state s_t after each step t = 0..T-1. */
  readonly deltas: Record<string, Mat[]>;
}

/** Reads the data `[T, B, n]` of a sequence as T matrices. */
function steps(t: Tensor): Mat[] {
  const [T, B, n] = t.shape;
  return Array.from({ length: T }, (_, k) => matOf(t, B, n, k * B * n));
}

/**
 * The vanilla RNN of the seed: `u_t = x_t W_in + h_{t-1} W_re + b`, `h_t = f(u_t)`,
 * `v_t = h_t W_out + b_out`, and the delta recursion
 * `d_t = (d_out_t W_out^T + d_{t+1} W_re^T) * f'(u_t)`.
 */
export function handRnnBptt(p: Record<string, Tensor>, x: Tensor, y: Tensor, h0: Tensor, a: Activation): HandGrads {
  const [T, B, I] = x.shape;
  const O = y.shape[2];
  const H = h0.shape[1];
  const wIn = matOf(p["layers.0.W_in"], I, H);
  const wRe = matOf(p["layers.0.W_re"], H, H);
  const b = Array.from(p["layers.0.b"].data);
  const wOut = matOf(p["head.W"], H, O);
  const bOut = Array.from(p["head.b"].data);
  const xs = steps(x);
  const ys = steps(y);
  const hs: Mat[] = [matOf(h0, B, H)]; // hs[t] = h_t, hs[0] = h_0
  const us: Mat[] = [[]];
  const vs: Mat[] = [[]];
  let loss = 0;
  const n = T * B * O;
  for (let t = 1; t <= T; t++) {
    const u = mapM(addM(mm(xs[t - 1], wIn), mm(hs[t - 1], wRe)), (v, _i, j) => v + b[j]);
    us.push(u);
    hs.push(mapM(u, act[a].f));
    const v = mapM(mm(hs[t], wOut), (val, _i, j) => val + bOut[j]);
    vs.push(v);
    for (let i = 0; i < B; i++) for (let o = 0; o < O; o++) loss += (v[i][o] - ys[t - 1][i][o]) ** 2 / n;
  }
  const dWIn = zerosM(I, H);
  const dWRe = zerosM(H, H);
  const db = new Array<number>(H).fill(0);
  const dWOut = zerosM(H, O);
  const dbOut = new Array<number>(O).fill(0);
  const dxs: Mat[] = new Array<Mat>(T);
  const dhs: Mat[] = new Array<Mat>(T);
  let deltaReNext = zerosM(B, H); // delta_re_{t+1}
  for (let t = T; t >= 1; t--) {
    // delta_out_t = dE/dv_t
    const deltaOut = mapM(vs[t], (v, i, o) => (2 * (v - ys[t - 1][i][o])) / n);
    // dE/dh_t = delta_out_t W_out^T + delta_re_{t+1} W_re^T;  delta_re_t = dE/dh_t * f'(u_t)
    const dh = addM(mm(deltaOut, tr(wOut)), mm(deltaReNext, tr(wRe)));
    dhs[t - 1] = dh;
    const deltaRe = mapM(dh, (v, i, j) => v * act[a].df(us[t][i][j], hs[t][i][j]));
    accumulate(dWOut, mm(tr(hs[t]), deltaOut));
    accumulate(dWRe, mm(tr(hs[t - 1]), deltaRe));
    accumulate(dWIn, mm(tr(xs[t - 1]), deltaRe));
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
    deltas: { "layers.0.h": dhs },
  };
}

/**
 * The LSTM (gate blocks i, f, g, o of `z = x W_in + h W_re + b`; `c_t = f c_{t-1} + i g`,
 * `h_t = o tanh(c_t)`) from h_0 = c_0 = 0, with the usual backward:
 * `dh_t = d_out_t W_out^T + dz_{t+1} W_re^T`, `dc_t = dh_t o_t (1 - tanh²c_t) + dc_{t+1} f_{t+1}`.
 */
export function handLstmBptt(p: Record<string, Tensor>, x: Tensor, y: Tensor): HandGrads {
  const [T, B, I] = x.shape;
  const O = y.shape[2];
  const H = p["layers.0.W_re"].shape[0];
  const wIn = matOf(p["layers.0.W_in"], I, 4 * H);
  const wRe = matOf(p["layers.0.W_re"], H, 4 * H);
  const b = Array.from(p["layers.0.b"].data);
  const wOut = matOf(p["head.W"], H, O);
  const bOut = Array.from(p["head.b"].data);
  const xs = steps(x);
  const ys = steps(y);
  const hs: Mat[] = [zerosM(B, H)];
  const cs: Mat[] = [zerosM(B, H)];
  const gates: { i: Mat; f: Mat; g: Mat; o: Mat }[] = [{ i: [], f: [], g: [], o: [] }];
  const vs: Mat[] = [[]];
  let loss = 0;
  const n = T * B * O;
  for (let t = 1; t <= T; t++) {
    const z = mapM(addM(mm(xs[t - 1], wIn), mm(hs[t - 1], wRe)), (v, _i, j) => v + b[j]);
    const i = mapM(cols(z, 0, H), sigmoid);
    const f = mapM(cols(z, 1, H), sigmoid);
    const g = mapM(cols(z, 2, H), Math.tanh);
    const o = mapM(cols(z, 3, H), sigmoid);
    gates.push({ i, f, g, o });
    cs.push(mapM(cs[t - 1], (c, r, j) => f[r][j] * c + i[r][j] * g[r][j]));
    hs.push(mapM(cs[t], (c, r, j) => o[r][j] * Math.tanh(c)));
    const v = mapM(mm(hs[t], wOut), (val, _i, j) => val + bOut[j]);
    vs.push(v);
    for (let r = 0; r < B; r++) for (let k = 0; k < O; k++) loss += (v[r][k] - ys[t - 1][r][k]) ** 2 / n;
  }
  const dWIn = zerosM(I, 4 * H);
  const dWRe = zerosM(H, 4 * H);
  const db = new Array<number>(4 * H).fill(0);
  const dWOut = zerosM(H, O);
  const dbOut = new Array<number>(O).fill(0);
  const dxs: Mat[] = new Array<Mat>(T);
  const dhs: Mat[] = new Array<Mat>(T);
  const dcs: Mat[] = new Array<Mat>(T);
  let dzNext = zerosM(B, 4 * H);
  let dcNext = zerosM(B, H);
  let fNext = zerosM(B, H);
  for (let t = T; t >= 1; t--) {
    const { i, f, g, o } = gates[t];
    const deltaOut = mapM(vs[t], (v, r, k) => (2 * (v - ys[t - 1][r][k])) / n);
    const dh = addM(mm(deltaOut, tr(wOut)), mm(dzNext, tr(wRe)));
    const dc = mapM(dh, (d, r, j) => d * o[r][j] * (1 - Math.tanh(cs[t][r][j]) ** 2) + dcNext[r][j] * fNext[r][j]);
    dhs[t - 1] = dh;
    dcs[t - 1] = dc;
    const di = mapM(dc, (d, r, j) => d * g[r][j] * i[r][j] * (1 - i[r][j]));
    const df = mapM(dc, (d, r, j) => d * cs[t - 1][r][j] * f[r][j] * (1 - f[r][j]));
    const dg = mapM(dc, (d, r, j) => d * i[r][j] * (1 - g[r][j] ** 2));
    const dO = mapM(dh, (d, r, j) => d * Math.tanh(cs[t][r][j]) * o[r][j] * (1 - o[r][j]));
    const dz = di.map((_, r) => [...di[r], ...df[r], ...dg[r], ...dO[r]]);
    accumulate(dWOut, mm(tr(hs[t]), deltaOut));
    accumulate(dWRe, mm(tr(hs[t - 1]), dz));
    accumulate(dWIn, mm(tr(xs[t - 1]), dz));
    deltaOut.forEach((r) => r.forEach((v, k) => (dbOut[k] += v)));
    dz.forEach((r) => r.forEach((v, j) => (db[j] += v)));
    dxs[t - 1] = mm(dz, tr(wIn));
    dzNext = dz;
    dcNext = dc;
    fNext = f;
  }
  return {
    loss,
    grads: {
      "layers.0.W_in": flat([dWIn], [I, 4 * H]),
      "layers.0.W_re": flat([dWRe], [H, 4 * H]),
      "layers.0.b": flat([[db]], [4 * H]),
      "head.W": flat([dWOut], [H, O]),
      "head.b": flat([[dbOut]], [O]),
    },
    dx: flat(dxs, [T, B, I]),
    dh0: flat([mm(dzNext, tr(wRe))], [B, H]),
    deltas: { "layers.0.h": dhs, "layers.0.c": dcs },
  };
}

/** The Euclidean norm of a matrix. */
export function frobenius(m: Mat): number {
  return Math.sqrt(m.reduce((a, r) => a + r.reduce((s, v) => s + v * v, 0), 0));
}
