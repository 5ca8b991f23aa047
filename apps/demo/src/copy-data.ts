import { allocate, type Tensor } from "@unroll/ir";
import type { SequenceData } from "@unroll/bptt";

/** Class id of the blank: the input and the target of every step but the cue and the recall. */
export const BLANK = 0;

/** A batch of the copy task, and the symbol each sequence must recall. */
export interface CopyBatch {
  /** One-hot inputs `x [lag + 1, B, symbols + 1]` and target class ids `y [lag + 1, B]`. */
  readonly data: SequenceData;
  /** The symbol (class id 1…symbols) shown to each row at step 0. */
  readonly cue: Int32Array;
}

/**
 * B fresh sequences of the copy (delayed-recall) task, drawn from `rng`: step
 * 0 shows one of `symbols` symbols, the other steps a blank; the target is
 * blank at every step except step `lag`, which must name the symbol of step 0.
 * Classes are {blank = 0, symbols 1…S}, one-hot in the input.
 *
 * ```
 * s_b ~ uniform{1…S};  x[0][b] = onehot(s_b);  x[t > 0][b] = onehot(blank)
 * y[t][b] = blank for t < lag;  y[lag][b] = s_b
 * ```
 */
export function copyBatch(rng: () => number, batch: number, lag: number, symbols: number): CopyBatch {
  if (!(Number.isInteger(lag) && lag >= 1)) throw new Error(`the lag must be a positive integer, got ${lag}`);
  if (!(Number.isInteger(symbols) && symbols >= 2)) throw new Error(`the copy task needs at least 2 symbols, got ${symbols}`);
  const T = lag + 1;
  const C = symbols + 1;
  const x = allocate("float32", T * batch * C);
  const y = allocate("float32", T * batch);
  const cue = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    cue[b] = 1 + Math.min(symbols - 1, Math.floor(rng() * symbols));
    for (let t = 0; t < T; t++) x[(t * batch + b) * C + (t === 0 ? cue[b] : BLANK)] = 1;
    y[lag * batch + b] = cue[b];
  }
  return { data: { sequences: { x: { shape: [T, batch, C], data: x }, y: { shape: [T, batch], data: y } } }, cue };
}

/** How well a model recalls the cue at the recall step. */
export interface RecallScore {
  /** Fraction of rows whose most probable symbol is their cue; chance is 1/S. */
  readonly accuracy: number;
  /** Mean of `-ln(p(cue) / Σ p(symbol))`, in nats; chance is ln S. */
  readonly loss: number;
}

/**
 * Scores the recall step, the last of `outputs [lag + 1, B, C]` (class
 * probabilities), against each row's cue. The blank is left out of the
 * choice, so a model that has not learned to recall scores chance: 1/S
 * accuracy and a loss of ln S, whatever it thinks of the blank.
 */
export function recallScore(outputs: Tensor, cue: Int32Array): RecallScore {
  const [T, B, C] = outputs.shape;
  let right = 0;
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const at = ((T - 1) * B + b) * C;
    let best = 1;
    let symbols = 0;
    for (let c = 1; c < C; c++) {
      symbols += outputs.data[at + c];
      if (outputs.data[at + c] > outputs.data[at + best]) best = c;
    }
    if (best === cue[b]) right++;
    // float32 probabilities can underflow to 0: no symbol preferred then, and the loss capped at ln 1e12
    const p = symbols > 0 ? outputs.data[at + cue[b]] / symbols : 1 / (C - 1);
    loss -= Math.log(Math.max(p, 1e-12));
  }
  return { accuracy: right / B, loss: loss / B };
}
