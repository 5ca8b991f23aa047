import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "@unroll/ir";
import { float32 } from "./data.js";
import type { Cell } from "./workloads.js";

/** The model's weights as TF.js variables, same values and row-vector layout as unroll's. */
export interface TfWeights {
  /** `layers.0.W_in` [I, gH] (g = 4 for lstm, gate blocks i, f, g, o). */
  readonly wIn: tf.Variable;
  /** `layers.0.W_re` [H, gH]. */
  readonly wRe: tf.Variable;
  /** `layers.0.b` [gH]. */
  readonly b: tf.Variable;
  /** `head.W` [H, O]. */
  readonly wOut: tf.Variable;
  /** `head.b` [O]. */
  readonly bOut: tf.Variable;
}

/** The carry: `[h]` for rnn, `[h, c]` for lstm, each [B, H]. */
export type TfCarry = tf.Tensor2D[];

/** Variables holding copies of unroll's parameters. */
export function tfWeights(params: Readonly<Record<string, Tensor>>): TfWeights {
  const v = (name: string): tf.Variable => tf.variable(tf.tensor(float32(params[name]), [...params[name].shape], "float32"), true, name);
  return { wIn: v("layers.0.W_in"), wRe: v("layers.0.W_re"), b: v("layers.0.b"), wOut: v("head.W"), bOut: v("head.b") };
}

/** The weights in the order `tf.variableGrads` takes them. */
export function weightList(w: TfWeights): tf.Variable[] {
  return [w.wIn, w.wRe, w.b, w.wOut, w.bOut];
}

/** Zero carry for a batch. */
export function zeroCarry(cell: Cell, batch: number, hidden: number): TfCarry {
  return Array.from({ length: cell === "lstm" ? 2 : 1 }, () => tf.zeros([batch, hidden]) as tf.Tensor2D);
}

/**
 * One step of the cell, as unroll's cells define it:
 * `u = h W_re + x W_in + b`; rnn `h = tanh(u)`; lstm with gates i, f, g, o:
 * `c = σ(f) c + σ(i) tanh(g)`, `h = σ(o) tanh(c)`.
 */
export function cellStep(cell: Cell, w: TfWeights, x: tf.Tensor2D, carry: TfCarry): TfCarry {
  const u = tf.add(tf.add(tf.matMul(carry[0], w.wRe), tf.matMul(x, w.wIn)), w.b) as tf.Tensor2D;
  if (cell === "rnn") return [tf.tanh(u)];
  const [i, f, g, o] = tf.split(u, 4, 1);
  const c = tf.add(tf.mul(tf.sigmoid(f), carry[1]), tf.mul(tf.sigmoid(i), tf.tanh(g))) as tf.Tensor2D;
  return [tf.mul(tf.sigmoid(o), tf.tanh(c)), c];
}

/**
 * Runs a window of steps from `carry` and returns its loss, the mean squared
 * error over all elements of `y = h W_out + b_out` against `ys` [L, B, O], and
 * the carry after its last step.
 */
export function windowLoss(cell: Cell, w: TfWeights, xs: readonly tf.Tensor2D[], ys: tf.Tensor3D, carry: TfCarry): { loss: tf.Scalar; carry: TfCarry } {
  const preds: tf.Tensor2D[] = [];
  for (const x of xs) {
    carry = cellStep(cell, w, x, carry);
    preds.push(tf.add(tf.matMul(carry[0], w.wOut), w.bOut));
  }
  return { loss: tf.mean(tf.squaredDifference(tf.stack(preds), ys)), carry };
}
