import { InputError } from "./input-error.js";
import { allocate, dtypeOf, type Tensor } from "@unroll/ir";
import { metricIncreases } from "./metrics.js";
import type { EpochLog, Monitor, TrainingCallback, TrainingControl } from "./training-callback.js";

/** Options of {@link earlyStopping}. */
export interface EarlyStoppingOptions {
  /** What to watch (default `"valLoss"`). Losses and MAE improve downwards, accuracy upwards. */
  readonly monitor?: Monitor;
  /** Epochs without improvement after which training stops (a positive integer). */
  readonly patience: number;
  /** The least change that counts as an improvement (default 0). */
  readonly minDelta?: number;
  /** Write the best epoch's weights back into the parameters when training ends (default false). */
  readonly restoreBest?: boolean;
}

/** What {@link earlyStopping} keeps while training runs, readable for reports. */
export interface EarlyStopping extends TrainingCallback {
  /** The epoch with the best monitored value so far (undefined before the first). */
  readonly bestEpoch: number | undefined;
  /** The best monitored value so far. */
  readonly best: number;
}

/**
 * Stops training once the monitored value has not improved by more than
 * `minDelta` for `patience` epochs, as Keras's `EarlyStopping`: with the best
 * value at epoch e, training stops after epoch e + patience. With
 * `restoreBest`, the weights of epoch e (copied when it ended) replace the
 * parameters at the end of training, bit for bit.
 */
export function earlyStopping(options: EarlyStoppingOptions): EarlyStopping {
  const { monitor = "valLoss", patience, minDelta = 0, restoreBest = false } = options;
  if (!(Number.isSafeInteger(patience) && patience >= 1)) throw new InputError(`patience must be a positive integer of epochs, got ${patience}`);
  if (!(Number.isFinite(minDelta) && minDelta >= 0)) throw new InputError(`minDelta must be a number ≥ 0, got ${minDelta}`);
  let best = NaN;
  let bestEpoch: number | undefined;
  let wait = 0;
  let bestParams: Record<string, Tensor> | undefined;
  let increases = false;
  return {
    get best() {
      return best;
    },
    get bestEpoch() {
      return bestEpoch;
    },
    onTrainBegin(control: TrainingControl) {
      const isMetric = monitor === "metric" || monitor === "valMetric";
      if (isMetric && !control.metric) throw new InputError(`early stopping monitors ${monitor}, but training has no metric`);
      increases = isMetric && metricIncreases(control.metric!);
      best = NaN;
      bestEpoch = undefined;
      wait = 0;
      bestParams = undefined;
    },
    onEpochEnd(log: EpochLog, control: TrainingControl) {
      const value = log[monitor];
      if (value === undefined)
        throw new InputError(
          `early stopping monitors ${monitor}, which training does not measure (${monitor.startsWith("val") ? "give validation data" : "choose a metric"})`,
        );
      const improved = bestEpoch === undefined || (increases ? value - minDelta > best : value + minDelta < best);
      if (improved) {
        best = value;
        bestEpoch = log.epoch;
        wait = 0;
        if (restoreBest) bestParams = copyTensors(control.params);
        return;
      }
      if (++wait >= patience) control.stop();
    },
    onTrainEnd(_history, control: TrainingControl) {
      if (!bestParams) return;
      for (const [name, p] of Object.entries(control.params)) p.data.set(bestParams[name].data);
    },
  };
}

/** Copies of tensors by name. */
function copyTensors(ts: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  return Object.fromEntries(
    Object.entries(ts).map(([k, t]) => {
      const data = allocate(dtypeOf(t.data), t.data.length);
      data.set(t.data);
      return [k, { shape: [...t.shape], data }];
    }),
  );
}
