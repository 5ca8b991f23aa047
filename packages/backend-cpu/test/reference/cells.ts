import { add, block, blockCols, mul, relu, sigmoid, vecMat, type Mat, type Vec } from "./linalg.js";

/** The state one row carries through one direction of a layer: h, and c for an LSTM. */
export interface RowState {
  readonly h: Vec;
  readonly c?: Vec;
}

/** Elman RNN step: `h_t = f(h_{t-1} W_re + x_t W_in + b)`. */
export function rnnStep(p: { W_in: Mat; W_re: Mat; b: Vec }, f: "tanh" | "relu" | "sigmoid", x: Vec, s: RowState): RowState {
  const act = f === "tanh" ? Math.tanh : f === "relu" ? relu : sigmoid;
  return { h: add(vecMat(s.h, p.W_re), vecMat(x, p.W_in), p.b).map(act) };
}

/**
 * LSTM step, column blocks i, f, g, o of `x W_in + h W_re + b`:
 * `c_t = f*c_{t-1} + i*g`, `h_t = o*tanh(c_t)`.
 */
export function lstmStep(p: { W_in: Mat; W_re: Mat; b: Vec }, x: Vec, s: RowState): RowState {
  const H = s.h.length;
  const z = add(vecMat(x, p.W_in), vecMat(s.h, p.W_re), p.b);
  const i = block(z, 0, H).map(sigmoid);
  const f = block(z, 1, H).map(sigmoid);
  const g = block(z, 2, H).map(Math.tanh);
  const o = block(z, 3, H).map(sigmoid);
  const c = add(mul(f, s.c!), mul(i, g));
  return { h: mul(o, c.map(Math.tanh)), c };
}

/**
 * GRU step, column blocks r, z, n: `h_t = (1-z)*n + z*h_{t-1}` with
 * `n = tanh(x W_in_n + b_in_n + r*(h W_re_n + b_re_n))` (resetAfter) or
 * `n = tanh(x W_in_n + b_in_n + (r*h) W_re_n + b_re_n)`.
 */
export function gruStep(p: { W_in: Mat; W_re: Mat; b_in: Vec; b_re: Vec }, resetAfter: boolean, x: Vec, s: RowState): RowState {
  const H = s.h.length;
  const h = s.h;
  const gx = (k: number): Vec => add(vecMat(x, blockCols(p.W_in, k, H)), block(p.b_in, k, H));
  const gh = (k: number, hIn: Vec): Vec => add(vecMat(hIn, blockCols(p.W_re, k, H)), block(p.b_re, k, H));
  const r = add(gx(0), gh(0, h)).map(sigmoid);
  const z = add(gx(1), gh(1, h)).map(sigmoid);
  const n = (resetAfter ? add(gx(2), mul(r, gh(2, h))) : add(gx(2), gh(2, mul(r, h)))).map(Math.tanh);
  return { h: n.map((nj, j) => (1 - z[j]) * nj + z[j] * h[j]) };
}
