import type { BackendName } from "@unroll/backends/web";
import type { ModelSpec } from "@unroll/ir";

/** The recurrent cells a visitor can pick. */
export type CellKind = "rnn" | "lstm" | "gru";

/** Everything that defines one training run. */
export interface TrainSettings {
  /** Recurrent cell of the single layer. */
  readonly cell: CellKind;
  /** Hidden size H. */
  readonly hidden: number;
  /** Truncation window K: characters per stream per optimizer step. */
  readonly window: number;
  /** `cpu`: the CPU backend inside the trainer worker; `workers`: a pool of Web Workers it starts. */
  readonly backend: BackendName;
  /** Pool size when `backend` is `workers`. */
  readonly workers: number;
  /** Parallel streams B of the text (the batch). */
  readonly batch: number;
  /** Adam's learning rate. */
  readonly lr: number;
  /** Seed of the initial weights and of the samples' draws. */
  readonly seed: number;
  /** Draw a sample every this many steps. */
  readonly sampleEvery: number;
  /** Characters per sample. */
  readonly sampleLength: number;
  /** Sampling temperature (> 0). */
  readonly temperature: number;
}

/** The page's starting choices. */
export const defaultSettings: TrainSettings = {
  cell: "lstm",
  hidden: 64,
  window: 25,
  backend: "cpu",
  workers: 2,
  batch: 16,
  lr: 0.01,
  seed: 1,
  sampleEvery: 20,
  sampleLength: 240,
  temperature: 0.8,
};

/**
 * The character-level language model (min-char-rnn, char-rnn): one-hot
 * characters in, one recurrent layer, a softmax over the V characters out,
 * cross-entropy on the next character's class id.
 */
export function charModelSpec(vocabSize: number, settings: Pick<TrainSettings, "cell" | "hidden">): ModelSpec {
  return {
    input: vocabSize,
    layers: [{ cell: settings.cell, hidden: settings.hidden }],
    head: { units: vocabSize, activation: "softmax" },
    loss: "cross_entropy",
  };
}
