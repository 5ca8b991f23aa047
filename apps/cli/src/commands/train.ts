import { createOptimizer, isOptimizerName, optimizerNames, planWindows, Trainer, type Optimizer } from "@unroll/bptt";
import { createBackend } from "../backends.js";
import { checkWritable, writeJsonAtomic } from "../files.js";
import { loadInputs, type CommonOptions } from "../load-inputs.js";
import { TrainProgress } from "../progress.js";
import { parseMethod, type MethodOptions } from "../method-options.js";
import { parseTruncation } from "../truncation-options.js";
import { UserError } from "../user-error.js";
import { weightsToJson } from "../weights.js";

/** Options of `unroll train`. */
export interface TrainCommandOptions extends CommonOptions, MethodOptions {
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
}

function num(name: string, v: string | undefined, check: (n: number) => boolean = Number.isFinite): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!check(n)) throw new UserError(`${name} got "${v}", which is not a valid value`);
  return n;
}

const positiveInt = (n: number): boolean => Number.isInteger(n) && n >= 1;
const positive = (n: number): boolean => Number.isFinite(n) && n > 0;

/** The optimizer named on the command line, made by `@unroll/bptt`'s {@link createOptimizer}. */
function makeOptimizer(o: TrainCommandOptions): Optimizer {
  if (!isOptimizerName(o.optimizer)) throw new UserError(`--optimizer must be ${optimizerNames.join(", ")}, got "${o.optimizer}"`);
  const given = {
    momentum: num("--momentum", o.momentum),
    beta1: num("--beta1", o.beta1),
    beta2: num("--beta2", o.beta2),
    alpha: num("--alpha", o.alpha, (n) => n >= 0 && n < 1),
    eps: num("--eps", o.eps),
    weightDecay: num("--weight-decay", o.weightDecay),
  };
  try {
    return createOptimizer({
      name: o.optimizer,
      lr: num("--lr", o.lr, (n) => Number.isFinite(n) && n >= 0)!,
      ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
    });
  } catch (e) {
    // an option the optimizer does not take, e.g. --beta1 with sgd
    throw new UserError(`--optimizer ${o.optimizer}: ${(e as Error).message}`);
  }
}

/** `unroll train`: trains and saves the weights atomically. */
export async function trainCommand(o: TrainCommandOptions): Promise<void> {
  if (o.weights === undefined && o.seed === undefined) throw new UserError("give starting weights with --weights FILE or fresh ones with --seed N");
  if (o.weights !== undefined && o.seed !== undefined) throw new UserError("give either --weights or --seed, not both");
  checkWritable(o.save, "--save");
  if (o.log !== undefined) checkWritable(o.log, "--log");
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
  const { program, params, data, dtype, memoryBudget } = loadInputs(o, false, "train it");
  const [steps, batch] = data.sequences.x?.shape ?? Object.values(data.sequences)[0].shape;
  const windows = method !== "bptt" ? Math.ceil(steps / (updateEvery ?? steps)) : planWindows(steps, truncation).windows.length;
  const total = epochs * windows * Math.ceil(batch / (batchSize ?? batch));
  const backend = createBackend(o.backend);
  let progress: TrainProgress | undefined;
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
      ...(method !== "bptt" ? { method, ...(updateEvery ? { updateEvery } : {}) } : {}),
    });
    // refused over the memory budget before the log file is created
    trainer.checkMemory(data);
    const bar = new TrainProgress(total, { quiet: o.quiet ?? false, ...(o.log ? { log: o.log } : {}) });
    progress = bar;
    let first = NaN;
    let last = NaN;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const r = await trainer.fit(data, (s) => bar.step(epoch, s));
      if (epoch === 1) first = r.loss;
      last = r.loss;
    }
    bar.stop();
    writeJsonAtomic(o.save, weightsToJson(params));
    if (!o.quiet) process.stderr.write(`trained ${trainer.steps} steps: loss ${first.toPrecision(5)} -> ${last.toPrecision(5)}; weights saved to ${o.save}\n`);
  } finally {
    progress?.stop();
    await backend.dispose();
  }
}
