import type { Tensor } from "@unroll/ir";
import type { MetricName } from "./metrics.js";

/** What one epoch of `Trainer.train` measured. */
export interface EpochLog {
  /** The epoch, 1-based, counting every epoch the trainer has completed (a resumed run goes on counting). */
  readonly epoch: number;
  /** Mean of the epoch's window losses, as `Trainer.fit` reports it. */
  readonly loss: number;
  /** The metric of the weights at the end of the epoch on the training data (when a metric is chosen). */
  readonly metric?: number;
  /** Loss of the weights at the end of the epoch on the validation data (when given). */
  readonly valLoss?: number;
  /** The metric on the validation data (when given and a metric is chosen). */
  readonly valMetric?: number;
  /** Learning rate of the epoch's last update. */
  readonly lr: number;
}

/** The quantities of an {@link EpochLog} a callback can watch. */
export type Monitor = "loss" | "metric" | "valLoss" | "valMetric";

/** What `Trainer.train` returns: one log per epoch it ran. */
export interface TrainingHistory {
  /** The metric of the logs' `metric` and `valMetric`, if any. */
  readonly metric?: MetricName;
  /** One log per epoch run, in order. */
  readonly epochs: readonly EpochLog[];
  /** True when a callback stopped training before the last epoch. */
  readonly stopped: boolean;
}

/** What a callback may read and do while `Trainer.train` runs. */
export interface TrainingControl {
  /** The parameters being trained (updated in place; a callback may copy them or write them back). */
  readonly params: Record<string, Tensor>;
  /** The metric of this training, if any. */
  readonly metric?: MetricName;
  /** Ends training after the current epoch's callbacks. */
  stop(): void;
}

/**
 * Hooks into `Trainer.train`, as Keras callbacks: a progress bar, a logger or
 * early stopping. Every hook is optional and may be async.
 */
export interface TrainingCallback {
  /** Before the first epoch. */
  onTrainBegin?(control: TrainingControl): void | Promise<void>;
  /** After each epoch, with its log (validation included). */
  onEpochEnd?(log: EpochLog, control: TrainingControl): void | Promise<void>;
  /** After the last epoch (or the one a callback stopped at). */
  onTrainEnd?(history: TrainingHistory, control: TrainingControl): void | Promise<void>;
}
