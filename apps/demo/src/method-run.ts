import type { RecallScore } from "./copy-data.js";
import type { CopyMethod } from "./copy-methods.js";

/** The held-out accuracy at which a copy run counts as having learned to recall. */
export const LEARNED = 0.9;

/** The held-out score after some batches. */
export interface CurvePoint extends RecallScore {
  /** Sequence batches trained on so far. */
  readonly batch: number;
}

/** What one method reached on the copy task. */
export interface MethodRun {
  /** The method. */
  readonly method: CopyMethod;
  /** Its name in the output. */
  readonly label: string;
  /** Sequence batches trained on (less than the budget if interrupted). */
  readonly batches: number;
  /** Optimizer steps taken. */
  readonly updates: number;
  /** Seconds spent training (scoring excluded). */
  readonly seconds: number;
  /** Held-out score at batch 0, every few batches and at the end. */
  readonly curve: readonly CurvePoint[];
  /** The held-out score at the end. */
  readonly final: RecallScore;
  /** The batch from which on the held-out accuracy stayed at {@link LEARNED} or more, if it ended there. */
  readonly learnedFrom?: number;
}

/**
 * The batch of the first score of the curve's final run of scores at or
 * above {@link LEARNED}, if it ends there: one lucky score is not learning.
 */
export function learnedFrom(curve: readonly CurvePoint[]): number | undefined {
  let from: number | undefined;
  for (const p of curve) from = p.accuracy < LEARNED ? undefined : (from ?? p.batch);
  return from;
}

/** When a run learned to recall, in words. */
export function learnedText(run: MethodRun): string {
  return run.learnedFrom !== undefined ? `≥ ${100 * LEARNED}% from batch ${run.learnedFrom} on` : `below ${100 * LEARNED}% at the end`;
}
