import type { CellKind } from "./char-model.js";
import type { OptimizerName } from "@unroll/bptt";

/**
 * What defines a text training run: the data, the model, the truncation and
 * the optimizer. A checkpoint saves it, and a resumed run must use the same.
 */
export interface TextSettings {
  /** Text file trained on; `null` for the shipped sonnets. */
  readonly text: string | null;
  /** Recurrent cell. */
  readonly cell: CellKind;
  /** Hidden size of each layer. */
  readonly hidden: number;
  /** Stacked recurrent layers. */
  readonly layers: number;
  /** Truncation window K: steps per optimizer step. */
  readonly window: number;
  /** Parallel streams B the text is cut into. */
  readonly batch: number;
  /** Optimizer. */
  readonly optimizer: OptimizerName;
  /** Learning rate. */
  readonly lr: number;
  /** Seed of the initial weights and of the samples. */
  readonly seed: number;
}

/** The settings as label/value rows, for reports and logs. */
export function describeSettings(s: TextSettings): [string, string][] {
  return [
    ["text", s.text ?? "shipped sonnets (data/sonnets.txt)"],
    ["cell", s.cell],
    ["hidden", String(s.hidden)],
    ["layers", String(s.layers)],
    ["window (truncated BPTT)", String(s.window)],
    ["streams (batch)", String(s.batch)],
    ["optimizer", `${s.optimizer}, lr ${s.lr}, gradient norm clipped at 5`],
    ["seed", String(s.seed)],
  ];
}
