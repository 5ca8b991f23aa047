import { InputError } from "./input-error.js";
import type { Dtype, FloatArray, Tensor } from "@unroll/ir";
import type { OptimizerState } from "./optim/optimizer.js";

/**
 * The version of {@link TrainerState} this package writes and reads; a change
 * of its fields changes it. Version 2: a pass's loss so far is the mean over
 * counted (step, row) pairs with their count, no longer a sum of window means.
 */
export const TRAINER_STATE_VERSION = 2;

/** Why a trainer state of another version cannot be restored, and what to do instead. */
export function trainerStateVersionMessage(version: unknown): string {
  const older = typeof version === "number" && version < TRAINER_STATE_VERSION;
  return (
    `trainer state version ${JSON.stringify(version)} is not ${TRAINER_STATE_VERSION}` +
    (older
      ? ": it was written by an older unroll, whose pass loss was the mean of window losses rather than of counted steps; start again from its weights"
      : ": it was written by a newer unroll")
  );
}

/**
 * One number of a saved array. Finite numbers are JSON numbers, which
 * round-trip every float64 (and so every float32) exactly; the values JSON
 * cannot hold, and `-0` (which JSON writes as `0`), are strings.
 */
export type SavedNumber = number | "NaN" | "Infinity" | "-Infinity" | "-0";

/** A tensor as plain data: its shape and its elements in row-major order. */
export interface SavedTensor {
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Row-major elements. */
  readonly data: readonly SavedNumber[];
}

/** A recurrent state as plain data, by state name. */
export type SavedStates = Readonly<Record<string, SavedTensor>>;

/** RTRL's sensitivities as plain data, by parameter then by state name. */
export type SavedSensitivities = Readonly<Record<string, SavedStates>>;

/** An {@link OptimizerState} with its buffers as {@link SavedNumber}s. */
export interface SavedOptimizerState {
  /** Which optimizer wrote it. */
  readonly kind: string;
  /** Updates the optimizer has done. */
  readonly step: number;
  /** Per-parameter buffers, by buffer name then parameter name. */
  readonly buffers: Readonly<Record<string, Readonly<Record<string, readonly SavedNumber[]>>>>;
}

/**
 * Where an interrupted pass of `Trainer.fit` goes on: the next window and
 * what it needs to run exactly as it would have without the interruption.
 */
export interface SavedPosition {
  /** Minibatch of the next window; the number of minibatches when every window is done but the pass has not returned. */
  readonly batch: number;
  /** Index of the next window within the minibatch (in the truncation plan, or in RTRL's windows of `updateEvery` steps). */
  readonly window: number;
  /** BPTT: the state entering the minibatch, which windows starting at step 0 start from. */
  readonly entering: SavedStates | null;
  /** BPTT: the state after step `t`, by `t`, for each step a later window of the minibatch starts after (several when BPTT(k1, k2) windows overlap). */
  readonly kept: Readonly<Record<string, SavedStates>>;
  /** RTRL: the state entering the next window. */
  readonly state: SavedStates | null;
  /** RTRL: the sensitivities entering the next window (null at the start of a minibatch). */
  readonly sensitivities: SavedSensitivities | null;
  /** The pass's loss so far: the mean over the (step, row) pairs its windows counted, so that the pass's loss comes out the same. */
  readonly loss: SavedNumber;
  /** Number of (step, row) pairs counted so far. */
  readonly lossRows: number;
}

/**
 * A Trainer's whole training state as plain JSON-able data (see
 * `Trainer.state` and `Trainer.restore`): with it a fresh Trainer on the same
 * program, options and data continues bit-identically. Nothing random is in
 * it because nothing in training is random: minibatches are taken in row
 * order and no op draws random numbers.
 */
export interface TrainerState {
  /** {@link TRAINER_STATE_VERSION} when written. */
  readonly version: number;
  /** Precision of every tensor below. */
  readonly dtype: Dtype;
  /** Optimizer steps taken so far. */
  readonly steps: number;
  /** Passes (`fit` calls) completed so far. */
  readonly epochs: number;
  /** The parameters. */
  readonly params: Readonly<Record<string, SavedTensor>>;
  /** The optimizer's state. */
  readonly optimizer: SavedOptimizerState;
  /** Stateful training: the state carried into the next pass, per minibatch (null where none). */
  readonly carried: readonly (SavedStates | null)[];
  /** Stateful RTRL: the sensitivities carried into the next pass, per minibatch (null where none). */
  readonly carriedSensitivities: readonly (SavedSensitivities | null)[];
  /** Where an interrupted pass goes on; null between passes. */
  readonly position: SavedPosition | null;
}

/** A number as a {@link SavedNumber}. */
export function saveNumber(v: number): SavedNumber {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return Object.is(v, -0) ? "-0" : v;
}

/** The number a {@link SavedNumber} holds. */
export function loadNumber(v: SavedNumber): number {
  return typeof v === "number" ? v : Number(v);
}

/** Elements as {@link SavedNumber}s. */
export function saveNumbers(data: ArrayLike<number>): SavedNumber[] {
  return Array.from(data, saveNumber);
}

/** A tensor as plain data (a copy). */
export function saveTensor(t: Tensor): SavedTensor {
  return { shape: [...t.shape], data: saveNumbers(t.data) };
}

/** Tensors by name as plain data. */
export function saveTensors(ts: Readonly<Record<string, Tensor>>): Record<string, SavedTensor> {
  return Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, saveTensor(t)]));
}

/** A saved tensor in the given precision; `field` names it in the error when its length does not match its shape. */
export function loadTensor(t: SavedTensor, dtype: Dtype, field: string): Tensor {
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== size) throw new InputError(`${field}: ${t.data.length} elements for shape [${t.shape.join(", ")}]`);
  const data: FloatArray = dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = loadNumber(t.data[i]);
  return { shape: [...t.shape], data };
}

/** Saved tensors by name in the given precision. */
export function loadTensors(ts: Readonly<Record<string, SavedTensor>>, dtype: Dtype, field: string): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, loadTensor(t, dtype, `${field}.${k}`)]));
}

/** An optimizer's state as plain data, its float64 buffers exactly. */
export function saveOptimizerState(s: OptimizerState): SavedOptimizerState {
  const buffers = Object.fromEntries(
    Object.entries(s.buffers).map(([b, byParam]) => [b, Object.fromEntries(Object.entries(byParam).map(([p, v]) => [p, saveNumbers(v)]))]),
  );
  return { kind: s.kind, step: s.step, buffers };
}

/** The {@link OptimizerState} a saved one holds. */
export function loadOptimizerState(s: SavedOptimizerState): OptimizerState {
  const buffers = Object.fromEntries(
    Object.entries(s.buffers).map(([b, byParam]) => [b, Object.fromEntries(Object.entries(byParam).map(([p, v]) => [p, v.map(loadNumber)]))]),
  );
  return { kind: s.kind, step: s.step, buffers };
}
