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

/** One recurrent layer of a {@link CharModelSpec}. */
export interface CharLayerSpec {
  /** Recurrent cell. */
  readonly cell: CellKind;
  /** Hidden size. */
  readonly hidden: number;
}

/** The head of a {@link CharModelSpec}: a softmax over the V characters. */
export interface CharHeadSpec {
  /** V, one unit per character. */
  readonly units: number;
  /** A distribution over the next character. */
  readonly activation: "softmax";
}

/** The model spec of a character-level language model: a `ModelSpec` of `@unroll/ir` (it can be loaded and saved as one). */
export interface CharModelSpec {
  /** V: the width of the one-hot input. */
  readonly input: number;
  /** The stacked recurrent layers. */
  readonly layers: CharLayerSpec[];
  /** The softmax over the V characters. */
  readonly head: CharHeadSpec;
  /** Cross-entropy on the next character's class id. */
  readonly loss: "cross_entropy";
}

/**
 * A character-level language model as a model spec (min-char-rnn, char-rnn):
 * one-hot characters in, stacked recurrent layers, a softmax over the V
 * characters out, trained with cross-entropy on the next character's class id.
 */
export function charModelSpec(vocabSize: number, shape: ModelShape): CharModelSpec {
  return {
    input: vocabSize,
    layers: Array.from({ length: shape.layers }, () => ({ cell: shape.cell, hidden: shape.hidden })),
    head: { units: vocabSize, activation: "softmax" },
    loss: "cross_entropy",
  } satisfies ModelSpec;
}
