import type { Tensor } from "@unroll/ir";

/**
 * PyTorch's documented equations of nn.RNN, nn.LSTM and nn.GRU, as a plain float64 loop over
 * a state_dict in PyTorch's own layout (weights [out, in], two biases), sequence-first. This
 * is the oracle the state_dict mapping is checked against: it never touches unroll's layout.
 *
 *   RNN:  h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
 *   LSTM: i = σ(W_ii x + b_ii + W_hi h + b_hi)   f = σ(W_if x + b_if + W_hf h + b_hf)
 *         g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(W_io x + b_io + W_ho h + b_ho)
 *         c' = f ⊙ c + i ⊙ g   h' = o ⊙ tanh(c')
 *   GRU:  r = σ(W_ir x + b_ir + W_hr h + b_hr)   z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *         n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   h' = (1 − z) ⊙ n + z ⊙ h
 * Layer l > 0 reads layer l − 1's output; a bidirectional layer's reverse direction runs
 * from the last step to the first, and its output at t is [h_t forward, h_t reverse].
 */
export interface TorchReferenceModel {
  readonly cell: "rnn" | "lstm" | "gru";
  readonly layers: number;
  readonly bidirectional: boolean;
  readonly nonlinearity?: "tanh" | "relu";
  /** The recurrent module's key prefix with its dot ("rnn.") or "". */
  readonly prefix: string;
  /** An nn.Linear head's prefix with its dot, and the activation after it. */
  readonly head?: { readonly prefix: string; readonly activation: "linear" | "sigmoid" | "tanh" | "softmax" };
  /** An nn.Embedding's prefix with its dot: x holds token ids. */
  readonly embedding?: string;
}

type Matrix = number[][];
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

function matrix(t: Tensor): Matrix {
  const [rows, cols] = t.shape;
  return Array.from({ length: rows }, (_, r) => Array.from(t.data.subarray(r * cols, (r + 1) * cols)));
}

/** W v (W [out, in], v [in]). */
function mv(w: Matrix, v: readonly number[]): number[] {
  return w.map((row) => row.reduce((s, a, j) => s + a * v[j], 0));
}

/** One direction of one layer over the whole sequence: xs[t][b] → hs[t][b]. */
function direction(
  sd: Record<string, Tensor>,
  m: TorchReferenceModel,
  key: (name: string) => string,
  xs: number[][][],
  h0: number[][],
  c0: number[][] | undefined,
  reverse: boolean,
): number[][][] {
  const wih = matrix(sd[key("weight_ih")]);
  const whh = matrix(sd[key("weight_hh")]);
  const bih = Array.from(sd[key("bias_ih")].data);
  const bhh = Array.from(sd[key("bias_hh")].data);
  const H = whh[0].length;
  const T = xs.length;
  const out: number[][][] = new Array(T);
  let h = h0.map((r) => [...r]);
  let c = c0?.map((r) => [...r]);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const next = xs[t].map((x, b) => {
      const gi = mv(wih, x).map((v, j) => v + bih[j]);
      const gh = mv(whh, h[b]).map((v, j) => v + bhh[j]);
      const at = (g: number[], gate: number, j: number): number => g[gate * H + j];
      if (m.cell === "rnn") {
        const act = m.nonlinearity === "relu" ? (v: number) => Math.max(0, v) : Math.tanh;
        return { h: gi.map((v, j) => act(v + gh[j])) };
      }
      if (m.cell === "lstm") {
        const cb: number[] = [];
        const hb: number[] = [];
        for (let j = 0; j < H; j++) {
          const i = sigmoid(at(gi, 0, j) + at(gh, 0, j));
          const f = sigmoid(at(gi, 1, j) + at(gh, 1, j));
          const g = Math.tanh(at(gi, 2, j) + at(gh, 2, j));
          const o = sigmoid(at(gi, 3, j) + at(gh, 3, j));
          cb.push(f * c![b][j] + i * g);
          hb.push(o * Math.tanh(cb[j]));
        }
        return { h: hb, c: cb };
      }
      const hb: number[] = [];
      for (let j = 0; j < H; j++) {
        const r = sigmoid(at(gi, 0, j) + at(gh, 0, j));
        const z = sigmoid(at(gi, 1, j) + at(gh, 1, j));
        const n = Math.tanh(at(gi, 2, j) + r * at(gh, 2, j));
        hb.push((1 - z) * n + z * h[b][j]);
      }
      return { h: hb };
    });
    h = next.map((n) => n.h);
    if (c) c = next.map((n) => n.c!);
    out[t] = h;
  }
  return out;
}

/**
 * The module's output for `x` ([T, B, I] values, or [T, B] token ids with an embedding),
 * from PyTorch's `h_0` (and `c_0`) `[layers × directions, B, H]` (zeros when absent).
 * Returns `[T][B][width]`.
 */
export function torchReference(sd: Record<string, Tensor>, m: TorchReferenceModel, x: Tensor, h0?: Tensor, c0?: Tensor): number[][][] {
  const [T, B] = x.shape;
  let xs: number[][][];
  if (m.embedding !== undefined) {
    const table = matrix(sd[`${m.embedding}weight`]);
    xs = Array.from({ length: T }, (_, t) => Array.from({ length: B }, (_, b) => [...table[x.data[t * B + b]]]));
  } else {
    const I = x.shape[2];
    xs = Array.from({ length: T }, (_, t) => Array.from({ length: B }, (_, b) => Array.from(x.data.subarray((t * B + b) * I, (t * B + b + 1) * I))));
  }
  const H = sd[`${m.prefix}weight_hh_l0`].shape[1];
  const dirs = m.bidirectional ? 2 : 1;
  const initial = (t: Tensor | undefined, row: number): number[][] =>
    Array.from({ length: B }, (_, b) => Array.from({ length: H }, (_, j) => (t ? t.data[(row * B + b) * H + j] : 0)));
  for (let l = 0; l < m.layers; l++) {
    const outs = [false, true].slice(0, dirs).map((reverse) => {
      const key = (name: string): string => `${m.prefix}${name}_l${l}${reverse ? "_reverse" : ""}`;
      const row = l * dirs + (reverse ? 1 : 0);
      return direction(sd, m, key, xs, initial(h0, row), m.cell === "lstm" ? initial(c0, row) : undefined, reverse);
    });
    xs = outs[0].map((step, t) => step.map((hb, b) => (dirs === 2 ? [...hb, ...outs[1][t][b]] : hb)));
  }
  if (!m.head) return xs;
  const w = matrix(sd[`${m.head.prefix}weight`]);
  const bias = Array.from(sd[`${m.head.prefix}bias`].data);
  const activation = m.head.activation;
  return xs.map((step) =>
    step.map((features) => {
      const logits = mv(w, features).map((v, o) => v + bias[o]);
      if (activation === "sigmoid") return logits.map(sigmoid);
      if (activation === "tanh") return logits.map(Math.tanh);
      if (activation === "softmax") {
        const max = Math.max(...logits);
        const e = logits.map((v) => Math.exp(v - max));
        const sum = e.reduce((a, b) => a + b, 0);
        return e.map((v) => v / sum);
      }
      return logits;
    }),
  );
}
