import { add, mul, sigmoid, toMat, toSeq, toVec, vecMat, zeroVec, type Dense, type Vec } from "./linalg.js";

/**
 * A minimal gated unit (MGU, Zhou et al. 2016) with a dense output and a second
 * carry `s`, the running product of the forget gate, starting at `sInit`:
 *
 * ```
 * f   = sigmoid(x W_f + h U_f + b_f)
 * n   = tanh(x W_n + (f*h) U_n + b_n)
 * h_t = (1-f)*h + f*n
 * s_t = s*f
 * out = h_t W_o + b_o,  loss = mse(out, y)
 * ```
 *
 * Steps at or past a row's length leave h and s alone, output zeros and are not counted.
 */
export function referenceGatedUnit(
  params: Readonly<Record<string, Dense>>,
  data: { sequences: Readonly<Record<string, Dense>>; initialState?: Readonly<Record<string, Dense>>; lengths?: readonly number[] },
  sInit: number,
): { outputs: number[][][]; states: Record<string, number[][][]>; finalState: Record<string, number[][]>; loss: number } {
  const [W_f, U_f, W_n, U_n, W_o] = ["W_f", "U_f", "W_n", "U_n", "W_o"].map((id) => toMat(params[id]));
  const [b_f, b_n, b_o] = ["b_f", "b_n", "b_o"].map((id) => toVec(params[id]));
  const x = toSeq(data.sequences.x);
  const y = toSeq(data.sequences.y);
  const T = x.length;
  const B = x[0].length;
  const H = U_f.length;
  const O = b_o.length;
  const outputs = x.map((row) => row.map(() => zeroVec(O)));
  const states: Record<string, number[][][]> = { h: x.map((row) => row.map(() => zeroVec(H))), s: x.map((row) => row.map(() => zeroVec(H))) };
  const finalState: Record<string, number[][]> = { h: [], s: [] };
  let sum = 0;
  let count = 0;
  for (let b = 0; b < B; b++) {
    const len = data.lengths?.[b] ?? T;
    let h: Vec = data.initialState?.h ? toMat(data.initialState.h)[b] : zeroVec(H);
    let s: Vec = data.initialState?.s ? toMat(data.initialState.s)[b] : zeroVec(H).map(() => sInit);
    for (let t = 0; t < T; t++) {
      if (t < len) {
        const f = add(vecMat(x[t][b], W_f), vecMat(h, U_f), b_f).map(sigmoid);
        const n = add(vecMat(x[t][b], W_n), vecMat(mul(f, h), U_n), b_n).map(Math.tanh);
        h = h.map((hj, j) => (1 - f[j]) * hj + f[j] * n[j]);
        s = mul(s, f);
        const out = add(vecMat(h, W_o), b_o);
        outputs[t][b] = out;
        for (let j = 0; j < O; j++) sum += (out[j] - y[t][b][j]) ** 2;
        count += O;
      }
      states.h[t][b] = [...h];
      states.s[t][b] = [...s];
    }
    finalState.h[b] = h;
    finalState.s[b] = s;
  }
  return { outputs, states, finalState, loss: count > 0 ? sum / count : 0 };
}
