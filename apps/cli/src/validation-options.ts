import type { CheckedProgram } from "@unroll/ir";
import { isMetricName, metricNames, type MetricName } from "@unroll/bptt";
import { positiveInteger } from "./positive-integer.js";
import { UserError } from "./user-error.js";

/** The validation, metric and early-stopping options of train. */
export interface ValidationOptions {
  /** A DATA file to validate on. */
  readonly valData?: string;
  /** Validate on this fraction of DATA's sequences (the last ones) instead of training on them. */
  readonly valSplit?: string;
  /** Early stopping: epochs without improvement of the validation loss. */
  readonly patience?: string;
  /** Early stopping: the least decrease that counts as an improvement. */
  readonly minDelta?: string;
  /** Early stopping: restore the best epoch's weights at the end (commander sets false for `--no-restore-best`). */
  readonly restoreBest?: boolean;
  /** accuracy or mae. */
  readonly metric?: string;
}

/** The parsed {@link ValidationOptions}. */
export interface ValidationSettings {
  /** The fraction of `--val-split`. */
  readonly valSplit?: number;
  /** Early stopping, when `--patience` is given. */
  readonly earlyStopping?: { readonly patience: number; readonly minDelta: number; readonly restoreBest: boolean };
  /** The metric to report, if the loss implies one or `--metric` names one. */
  readonly metric?: MetricName;
}

/** Parses and cross-checks the validation options; `program` gives the default metric. */
export function parseValidation(o: ValidationOptions, program: CheckedProgram): ValidationSettings {
  if (o.valData !== undefined && o.valSplit !== undefined) throw new UserError("give either --val-data FILE or --val-split F, not both");
  let valSplit: number | undefined;
  if (o.valSplit !== undefined) {
    valSplit = o.valSplit.trim() === "" ? NaN : Number(o.valSplit);
    if (!(valSplit > 0 && valSplit < 1)) throw new UserError(`--val-split must be a number in (0, 1), got "${o.valSplit}"`);
  }
  const validating = o.valData !== undefined || valSplit !== undefined;
  if (o.patience === undefined) {
    if (o.minDelta !== undefined) throw new UserError("--min-delta tunes early stopping: give --patience N with it");
    if (o.restoreBest !== undefined) throw new UserError(`--${o.restoreBest ? "" : "no-"}restore-best tunes early stopping: give --patience N with it`);
  }
  let earlyStopping: ValidationSettings["earlyStopping"];
  if (o.patience !== undefined) {
    if (!validating) throw new UserError("--patience stops on the validation loss: give --val-data FILE or --val-split F with it");
    const minDelta = o.minDelta === undefined ? 0 : o.minDelta.trim() === "" ? NaN : Number(o.minDelta);
    if (!(Number.isFinite(minDelta) && minDelta >= 0)) throw new UserError(`--min-delta must be a number ≥ 0, got "${o.minDelta}"`);
    earlyStopping = { patience: positiveInteger("--patience", o.patience), minDelta, restoreBest: o.restoreBest ?? true };
  }
  if (o.metric !== undefined && !isMetricName(o.metric)) throw new UserError(`--metric must be ${metricNames.join(" or ")}, got "${o.metric}"`);
  const metric = (o.metric as MetricName | undefined) ?? defaultMetric(program);
  return { ...(valSplit !== undefined ? { valSplit } : {}), ...(earlyStopping ? { earlyStopping } : {}), ...(metric ? { metric } : {}) };
}

/** The metric a loss implies: accuracy for cross-entropy, mae for mse; none for another loss. */
export function defaultMetric(program: CheckedProgram): MetricName | undefined {
  for (const { checked } of program.stages) {
    const loss = checked.graph.loss;
    const node = loss === undefined ? undefined : checked.graph.nodes.find((n) => n.id === loss);
    if (node?.op === "softmaxCrossEntropy") return "accuracy";
    if (node?.op === "mse") return "mae";
  }
  return undefined;
}
