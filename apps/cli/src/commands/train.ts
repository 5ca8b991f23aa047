import {
  createOptimizer,
  DEFAULT_DROPOUT_SEED,
  earlyStopping,
  runForward,
  splitValidation,
  type EpochLog,
  type LrSchedule,
  type MetricName,
  type SequenceData,
  type TrainingCallback,
  isOptimizerName,
  loadNumber,
  optimizerNames,
  planWindows,
  saveNumber,
  Trainer,
  type Optimizer,
  type TrainerOptions,
} from "@unroll/bptt";
import { createBackend } from "../backends.js";
import { processIo, warnOn, type CliIo } from "../io.js";
import { checkWritable } from "../files.js";
import { loadInputs, loadValidationData, type CommonOptions } from "../load-inputs.js";
import { parseLrSchedule, type LrScheduleOptions } from "../lr-schedule-options.js";
import { parseValidation, type ValidationOptions } from "../validation-options.js";
import { TrainProgress } from "../progress.js";
import { parseMethod, type MethodOptions } from "../method-options.js";
import { parseTruncation } from "../truncation-options.js";
import { checkSnapshotMatches, readSnapshot, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, writeSnapshot, type SnapshotSettings } from "../snapshot-file.js";
import { blameFile, UserError } from "../user-error.js";
import { writeWeights } from "../weights-file.js";

/** Options of `unroll train`. */
export interface TrainCommandOptions extends CommonOptions, MethodOptions, LrScheduleOptions, ValidationOptions {
  /** Where to write the trained weights. */
  readonly save: string;
  /** sgd, momentum, adam or rmsprop. */
  readonly optimizer: string;
  /** Learning rate. */
  readonly lr: string;
  /** Momentum factor. */
  readonly momentum?: string;
  /** Adam β1. */
  readonly beta1?: string;
  /** Adam β2. */
  readonly beta2?: string;
  /** RMSprop smoothing constant. */
  readonly alpha?: string;
  /** Adam/RMSprop ε. */
  readonly eps?: string;
  /** L2 weight decay. */
  readonly weightDecay?: string;
  /** Global-norm clip. */
  readonly clipNorm?: string;
  /** Value clip. */
  readonly clipValue?: string;
  /** Passes over the data. */
  readonly epochs: string;
  /** Minibatch rows. */
  readonly batchSize?: string;
  /** Carry the final state into the next epoch. */
  readonly stateful?: boolean;
  /** RTRL: update every N steps. */
  readonly online?: string;
  /** No progress bar or summary. */
  readonly quiet?: boolean;
  /** JSON-lines log path. */
  readonly log?: string;
  /** Where to write the training state, atomically. */
  readonly snapshot?: string;
  /** Write the snapshot every this many optimizer steps. */
  readonly snapshotEvery?: string;
  /** A snapshot to continue from. */
  readonly resume?: string;
  /** Seed of the dropout masks (a model with dropout). */
  readonly dropoutSeed?: string;
}

/** What a numeric option accepts: the test, and the words for it in an error ("a number ≥ 0"). */
interface NumberRule {
  readonly accepts: (n: number) => boolean;
  readonly says: string;
}

const positiveInt: NumberRule = { accepts: (n) => Number.isSafeInteger(n) && n >= 1, says: "a positive integer" };
const positive: NumberRule = { accepts: (n) => Number.isFinite(n) && n > 0, says: "a number > 0" };
const nonNegative: NumberRule = { accepts: (n) => Number.isFinite(n) && n >= 0, says: "a number ≥ 0" };
const fraction: NumberRule = { accepts: (n) => n >= 0 && n < 1, says: "a number in [0, 1)" };
const word: NumberRule = { accepts: (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32, says: `a whole number from 0 to ${2 ** 32 - 1}` };

/** Parses a numeric option, or refuses it with the option's name, its value and what it accepts. */
function num(name: string, v: string | undefined, rule: NumberRule): number | undefined {
  if (v === undefined) return undefined;
  // Number("") is 0: an empty value is no number at all
  const n = v.trim() === "" ? NaN : Number(v);
  if (!rule.accepts(n)) throw new UserError(`${name} must be ${rule.says}, got "${v}"`);
  return n;
}

/** The optimizer named on the command line, made by `@unroll/bptt`'s {@link createOptimizer}. */
function makeOptimizer(o: TrainCommandOptions): Optimizer {
  if (!isOptimizerName(o.optimizer)) throw new UserError(`--optimizer must be ${optimizerNames.join(", ")}, got "${o.optimizer}"`);
  const given = {
    momentum: num("--momentum", o.momentum, nonNegative),
    beta1: num("--beta1", o.beta1, fraction),
    beta2: num("--beta2", o.beta2, fraction),
    alpha: num("--alpha", o.alpha, fraction),
    eps: num("--eps", o.eps, positive),
    weightDecay: num("--weight-decay", o.weightDecay, nonNegative),
  };
  const lr = num("--lr", o.lr, nonNegative)!;
  try {
    return createOptimizer({
      name: o.optimizer,
      lr,
      ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
    });
  } catch (e) {
    // an option the optimizer does not take, e.g. --beta1 with sgd
    throw new UserError(`--optimizer ${o.optimizer}: ${(e as Error).message}`);
  }
}

/**
 * `unroll train`: trains and saves the weights atomically; with `--snapshot`
 * it also writes the whole training state every N steps and at the end, and
 * with `--resume` it continues from such a state.
 */
export async function trainCommand(o: TrainCommandOptions, io: CliIo = processIo): Promise<void> {
  if (o.resume !== undefined) {
    if (o.weights !== undefined || o.seed !== undefined) {
      throw new UserError("--resume continues from the snapshot's weights: give neither --weights nor --seed with it");
    }
  } else {
    if (o.weights === undefined && o.seed === undefined) throw new UserError("give starting weights with --weights FILE or fresh ones with --seed N");
    if (o.weights !== undefined && o.seed !== undefined) throw new UserError("give either --weights or --seed, not both");
  }
  if (o.snapshotEvery !== undefined && o.snapshot === undefined) throw new UserError("--snapshot-every N needs --snapshot FILE");
  if (o.patience !== undefined && o.resume !== undefined) {
    throw new UserError("--patience cannot go with --resume: early stopping's best epoch and weights are not in the snapshot");
  }
  checkWritable(o.save, "--save");
  if (o.log !== undefined) checkWritable(o.log, "--log");
  if (o.snapshot !== undefined) checkWritable(o.snapshot, "--snapshot");
  const truncation = parseTruncation(o);
  const { method } = parseMethod(o);
  const updateEvery = num("--online", o.online, positiveInt);
  if (updateEvery !== undefined && method === "bptt")
    throw new UserError("--online N updates during the sequence by RTRL: give --method rtrl or snap1 (BPTT updates during a sequence with --truncate K)");
  const optimizer = makeOptimizer(o);
  const epochs = num("--epochs", o.epochs, positiveInt)!;
  const batchSize = num("--batch-size", o.batchSize, positiveInt);
  const clipNorm = num("--clip-norm", o.clipNorm, positive);
  const clipValue = num("--clip-value", o.clipValue, positive);
  const checkpointEvery = num("--checkpoint", o.checkpoint, positiveInt);
  const snapshotEvery = num("--snapshot-every", o.snapshotEvery, positiveInt);
  const lrSchedule = parseLrSchedule(o);
  // under --resume the snapshot's parameters replace these placeholders
  const snapshots = o.snapshot !== undefined || o.resume !== undefined;
  const warn = warnOn(io);
  const inputs = loadInputs(o.resume !== undefined ? { ...o, seed: "0" } : o, false, "train it", { digests: snapshots, warn });
  const { program, params, dtype, memoryBudget, digests } = inputs;
  const dropoutSeed = num("--dropout-seed", o.dropoutSeed, word);
  const hasDropout = Object.keys(program.dropout).length > 0;
  if (dropoutSeed !== undefined && !hasDropout) throw new UserError("--dropout-seed seeds the dropout masks, but this model has no dropout");
  const { valSplit, earlyStopping: stopping, metric } = parseValidation(o, program);
  // --val-split trains on the first rows only; --val-data loads as DATA does (JSON, CSV or text, with DATA's options)
  const split = valSplit !== undefined ? blameFile(o.data ?? o.text ?? "", () => splitValidation(inputs.data, valSplit)) : undefined;
  const data = split?.train ?? inputs.data;
  const validation = split?.validation ?? (o.valData !== undefined ? loadValidationData(o, o.valData, inputs) : undefined);
  const [steps, batch] = data.sequences.x?.shape ?? Object.values(data.sequences)[0].shape;
  const windows = method !== "bptt" ? Math.ceil(steps / (updateEvery ?? steps)) : planWindows(steps, truncation).windows.length;
  const perEpoch = windows * Math.ceil(batch / (batchSize ?? batch));
  const total = epochs * perEpoch;
  const settings = {
    ...trainSettings(o, { truncation, method, updateEvery, batchSize, clipNorm, clipValue }),
    ...scheduleSettings(lrSchedule, valSplit),
    // only with dropout, so that snapshots of models without it keep their settings
    ...(hasDropout ? { dropoutSeed: dropoutSeed ?? DEFAULT_DROPOUT_SEED } : {}),
  };
  // what a snapshot belongs to: digests of the documents as loadInputs read them (taken only when snapshots are in play)
  const identity = { model: digests?.model ?? "", data: digests?.data ?? "", settings };
  // everything about the snapshot is checked before anything is written
  const resumed = o.resume !== undefined ? readSnapshot(o.resume) : undefined;
  if (resumed) {
    checkSnapshotMatches(o.resume!, resumed, identity);
    const at = resumed.trainer.epochs + (resumed.trainer.position ? 1 : 0);
    if (at > epochs) throw new UserError(`${o.resume} is already in epoch ${at}, past --epochs ${epochs}`);
  }
  const backend = createBackend(o.backend);
  try {
    const loaded = await backend.load(program, { dtype, memoryBudget });
    const trainer = new Trainer(loaded, program, params, {
      optimizer,
      truncation,
      stateful: o.stateful ?? false,
      ...(batchSize ? { batchSize } : {}),
      ...(clipNorm ? { clipNorm } : {}),
      ...(clipValue ? { clipValue } : {}),
      ...(checkpointEvery ? { checkpointEvery } : {}),
      // the log records gradient flow through each window; without a log nothing measures it
      ...(o.log && method === "bptt" ? { deltaNorms: true } : {}),
      memoryBudget,
      ...(dropoutSeed !== undefined ? { dropoutSeed } : {}),
      ...(method !== "bptt" ? { method, ...(updateEvery ? { updateEvery } : {}) } : {}),
      ...(lrSchedule ? { lrSchedule } : {}),
    });
    // refused over the memory budget before the log file is created
    trainer.checkMemory(data);
    let first = NaN;
    let last = NaN;
    if (resumed) {
      blameFile(o.resume!, () => trainer.restore(resumed.trainer));
      first = loadNumber(resumed.losses.first ?? "NaN");
      last = loadNumber(resumed.losses.last ?? "NaN");
    }
    const startedAt = trainer.steps;
    const snapshot = (): void => {
      if (o.snapshot === undefined) return;
      const losses = { first: Number.isNaN(first) ? null : saveNumber(first), last: Number.isNaN(last) ? null : saveNumber(last) };
      writeSnapshot(o.snapshot, { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, ...identity, losses, trainer: trainer.state() });
    };
    const progress = new TrainProgress(total, { quiet: o.quiet ?? false, ...(o.log ? { log: o.log } : {}), ...(resumed ? { done: startedAt } : {}) });
    const stopper = stopping ? earlyStopping({ monitor: "valLoss", ...stopping }) : undefined;
    const callbacks: TrainingCallback[] = [...(stopper ? [stopper] : []), ...(o.quiet ? [] : [epochPrinter(io, epochs, metric)])];
    let stoppedAfter: number | undefined;
    try {
      // by default a snapshot at the end of each epoch
      const every = snapshotEvery ?? perEpoch;
      const history = await trainer.train(data, {
        epochs,
        ...(validation ? { validation } : {}),
        ...(metric ? { metric } : {}),
        callbacks,
        onStep: (s, epoch) => {
          progress.step(epoch, s);
          if (s.step % every === 0) snapshot();
        },
      });
      for (const log of history.epochs) {
        if (log.epoch === 1) first = log.loss;
        last = log.loss;
      }
      if (history.stopped) stoppedAfter = trainer.epochs;
      progress.stop();
      snapshot();
    } finally {
      progress.stop();
    }
    writeWeights(o.save, params);
    if (!o.quiet) {
      const from = startedAt > 0 ? ` (resumed after step ${startedAt})` : "";
      io.stderr(`trained ${trainer.steps} steps${from}: loss ${first.toPrecision(5)} -> ${last.toPrecision(5)}; weights saved to ${o.save}\n`);
      if (stopper) {
        const best = `val_loss best at epoch ${stopper.bestEpoch} (${stopper.best.toPrecision(5)})`;
        // as Keras 3, the best weights come back whether or not training stopped early
        const restored = stopping!.restoreBest && stopper.bestEpoch !== trainer.epochs ? `weights restored from epoch ${stopper.bestEpoch}` : undefined;
        if (stoppedAfter !== undefined) io.stderr(`early stopping after epoch ${stoppedAfter}: ${best}${restored ? `; ${restored}` : ""}\n`);
        else if (restored) io.stderr(`${restored}: ${best}\n`);
      }
      const final = async (prefix: string, d: SequenceData): Promise<string> => {
        const measured = metric ? await trainer.evaluate(d, metric) : { loss: (await runForward(loaded, params, d, program)).loss!, value: undefined };
        return `${prefix}loss ${measured.loss.toPrecision(5)}${metric ? ` ${prefix}${metric} ${measured.value!.toPrecision(5)}` : ""}`;
      };
      const parts = [await final("", data), ...(validation ? [await final("val_", validation)] : [])];
      io.stderr(`final weights: ${parts.join(" ")}\n`);
    }
  } finally {
    await backend.dispose();
  }
}

/** One line per epoch on stderr: its loss, metric, validation loss and metric, and learning rate. */
function epochPrinter(io: CliIo, epochs: number, metric: MetricName | undefined): TrainingCallback {
  const show = (v: number | undefined): string => (v === undefined ? "" : v.toPrecision(5));
  return {
    onEpochEnd(log: EpochLog) {
      const parts = [`loss ${show(log.loss)}`];
      if (metric) parts.push(`${metric} ${show(log.metric)}`);
      if (log.valLoss !== undefined) parts.push(`val_loss ${show(log.valLoss)}`);
      if (metric && log.valMetric !== undefined) parts.push(`val_${metric} ${show(log.valMetric)}`);
      parts.push(`lr ${show(log.lr)}`);
      io.stderr(`epoch ${log.epoch}/${epochs}: ${parts.join(" ")}\n`);
    },
  };
}

/** The settings of a schedule and a validation split, which change the numbers; absent when unused, so snapshots of runs without them keep their settings. */
function scheduleSettings(lrSchedule: LrSchedule | undefined, valSplit: number | undefined): SnapshotSettings {
  return {
    ...(lrSchedule?.decay ? { lrSchedule: { ...lrSchedule.decay } } : {}),
    ...(lrSchedule?.warmup !== undefined ? { warmup: lrSchedule.warmup } : {}),
    ...(valSplit !== undefined ? { valSplit } : {}),
  };
}

/**
 * The settings a resumed run must share with the one that wrote the snapshot:
 * everything that changes the numbers. Not among them: --epochs (a resume may
 * train longer), --backend and --workers (backends compute the same numbers, to rounding),
 * --checkpoint (recomputation changes memory, not values), and the outputs.
 */
function trainSettings(
  o: TrainCommandOptions,
  parsed: Pick<TrainerOptions, "truncation" | "method" | "updateEvery" | "batchSize" | "clipNorm" | "clipValue">,
): SnapshotSettings {
  const given = (v: string | undefined): number | null => (v === undefined ? null : Number(v));
  return {
    dtype: o.dtype,
    optimizer: o.optimizer,
    lr: Number(o.lr),
    momentum: given(o.momentum),
    beta1: given(o.beta1),
    beta2: given(o.beta2),
    alpha: given(o.alpha),
    eps: given(o.eps),
    weightDecay: given(o.weightDecay),
    truncation: { ...(parsed.truncation ?? { kind: "full" }) },
    method: parsed.method ?? "bptt",
    online: parsed.updateEvery ?? null,
    batchSize: parsed.batchSize ?? null,
    clipNorm: parsed.clipNorm ?? null,
    clipValue: parsed.clipValue ?? null,
    stateful: o.stateful ?? false,
  };
}
