import type { OptimizerName, Optimizer, TrainerOptions } from "@unroll/bptt";
import type { ModelShape } from "./char-model.js";

/**
 * What defines a character model's training on a text, in both demos: the
 * model, the truncation, the streams and the optimizer.
 */
export interface TextTrainingSettings extends ModelShape {
  /** Truncation window K: characters per stream per optimizer step. */
  readonly window: number;
  /** Parallel streams B the text is cut into (the batch). */
  readonly batch: number;
  /** Optimizer, by name (see `createOptimizer` of `@unroll/bptt`). */
  readonly optimizer: OptimizerName;
  /** Learning rate. */
  readonly lr: number;
  /** Seed of the initial weights and of the samples. */
  readonly seed: number;
}

/** The global gradient norm every window's gradients are clipped to. */
export const CLIP_NORM = 5;

/** A learning rate that trains the demos' models well with each optimizer. */
export const defaultLr: { readonly [K in OptimizerName]: number } = {
  sgd: 0.3,
  momentum: 0.1,
  adam: 0.01,
  rmsprop: 0.003,
};

/**
 * The trainer options of stateful chunked truncated BPTT over streams, as
 * {@link trainStreams} needs them: one optimizer step per window of K, the
 * state carried, gradients clipped at {@link CLIP_NORM}.
 */
export function streamTrainerOptions(window: number, optimizer: Optimizer): TrainerOptions {
  return { optimizer, truncation: { kind: "chunked", window }, stateful: true, clipNorm: CLIP_NORM };
}
