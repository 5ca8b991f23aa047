import type { ModelSpec } from "@unroll/ir";

/** The recurrent cells the demos can stack. */
export type CellKind = "rnn" | "lstm" | "gru";

/** The shape of a stacked recurrent model. */
export interface ModelShape {
  /** Recurrent cell of every layer. */
  readonly cell: CellKind;
  /** Hidden size of every layer. */
  readonly hidden: number;
  /** Number of stacked layers. */
  readonly layers: number;
}

/**
 * A character-level language model as a model spec (min-char-rnn, char-rnn):
 * one-hot characters in, stacked recurrent layers, a softmax over the V
 * characters out, trained with cross-entropy on the next character's class id.
 */
export function charModelSpec(vocabSize: number, shape: ModelShape): ModelSpec {
  return {
    input: vocabSize,
    layers: Array.from({ length: shape.layers }, () => ({ cell: shape.cell, hidden: shape.hidden })),
    head: { units: vocabSize, activation: "softmax" },
    loss: "cross_entropy",
  };
}
