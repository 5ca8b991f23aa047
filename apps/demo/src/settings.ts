import { CLIP_NORM, type TextTrainingSettings } from "@unroll/demo-kit";

/**
 * What defines a text training run: the text, and the model, truncation and
 * optimizer as both demos describe them. A checkpoint saves it, and a resumed
 * run must use the same.
 */
export interface TextSettings extends TextTrainingSettings {
  /** Text file trained on; `null` for the shipped sonnets. */
  readonly text: string | null;
}

/** The settings as label/value rows, for reports and logs. */
export function describeSettings(s: TextSettings): [string, string][] {
  return [["text", s.text ?? "shipped sonnets (data/sonnets.txt)"], ...describeTraining(s)];
}

/** The model, truncation and optimizer as label/value rows: what a text run and a sine run share. */
export function describeTraining(s: TextTrainingSettings): [string, string][] {
  return [
    ["cell", s.cell],
    ["hidden", String(s.hidden)],
    ["layers", String(s.layers)],
    ["window (truncated BPTT)", String(s.window)],
    ["streams (batch)", String(s.batch)],
    ["optimizer", `${s.optimizer}, lr ${s.lr}, gradient norm clipped at ${CLIP_NORM}`],
    ["seed", String(s.seed)],
  ];
}
