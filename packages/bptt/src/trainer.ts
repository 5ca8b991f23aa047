import { DEFAULT_DROPOUT_SEED, withDropoutMasks } from "./dropout-masks.js";
import { InputError } from "./input-error.js";
import { ownEntry } from "./own-entry.js";
import { dtypeOf, full, resolveShape, type CheckedProgram, type Dtype, type Tensor } from "@unroll/ir";
import type { LoadedProgram } from "./backend.js";
import { dataSize, maskOfLengths, sliceSteps, stepView, type SequenceData } from "./data.js";
import { gradientFlowOf, type GradientFlow } from "./gradient-flow.js";
import { clipGradNorm, clipGradValue, globalGradNorm } from "./optim/clip.js";
import type { Optimizer } from "./optim/optimizer.js";
import { planWindows, type PlanWindow, type Truncation } from "./plan.js";
import { WindowCompiler } from "./program/compile-window.js";
import { checkWindowMemory, defaultMemoryBudget } from "./memory-budget.js";
import { checkRtrlMemory, checkRtrlProgram } from "./rtrl-memory.js";
import { isForwardMethod, type GradientMethod, type WindowResult } from "./window.js";
import { selectDataRows, selectRows } from "./rows.js";
import { addLoss, meanLoss, NO_LOSS, type CountedLoss } from "./mean-loss.js";
import { checkLrSchedule, scheduledLr, type LrSchedule } from "./optim/lr-schedule.js";
import { computeMetric, type MetricName } from "./metrics.js";
import { runForward } from "./gradients.js";
import type { EpochLog, TrainingCallback, TrainingControl, TrainingHistory } from "./training-callback.js";
import {
  loadNumber,
  loadOptimizerState,
  loadTensors,
  saveNumber,
  saveOptimizerState,
  saveTensors,
  TRAINER_STATE_VERSION,
  trainerStateVersionMessage,
  type SavedSensitivities,
  type TrainerState,
} from "./trainer-state.js";

/** Options of a {@link Trainer}. */
export interface TrainerOptions {
  /** Updates the parameters from each window's gradients. */
  readonly optimizer: Optimizer;
  /** How gradients are cut along time; one optimizer step per window. Default full BPTT. */
  readonly truncation?: Truncation;
  /** Split the batch into minibatches of this many rows (in row order); default the whole batch. */
  readonly batchSize?: number;
  /** Carry each minibatch's final state into the next call of {@link Trainer.fit}; default false. */
  readonly stateful?: boolean;
  /** Clamp gradient elements to ±clipValue first. */
  readonly clipValue?: number;
  /** Then rescale gradients to a global norm of at most clipNorm (PyTorch `clip_grad_norm_`). */
  readonly clipNorm?: number;
  /** Time checkpointing inside each window; see `WindowRequest.checkpointEvery`. */
  readonly checkpointEvery?: number;
  /**
   * How gradients are computed: `"bptt"` (default) by backpropagation through
   * each window of `truncation`; `"rtrl"` by real-time recurrent learning,
   * which carries each state's sensitivity to every parameter forward, so an
   * update can come at any step with no truncation (see `updateEvery`).
   */
  readonly method?: GradientMethod;
  /**
   * RTRL: take an optimizer step every this many steps (1: fully online),
   * the state and the sensitivities carrying on across updates; each update's
   * gradient is that of the loss of its steps. Default: one update per pass.
   * In {@link Trainer.fitStream} it also cuts BPTT into windows of this many steps.
   */
  readonly updateEvery?: number;
  /**
   * Bytes a window may use, checked before the first window of each call
   * (BPTT: the longest window of the plan; RTRL: its window of `updateEvery`
   * steps). Default `defaultMemoryBudget()`.
   */
  readonly memoryBudget?: number;
  /**
   * Measure gradient flow: every {@link StepReport} gets `deltaNorms` and
   * `gradNorms` (BPTT only). Default false, and then nothing more is computed.
   */
  readonly deltaNorms?: boolean;
  /**
   * The seed of the dropout masks of a program with dropout (default
   * {@link DEFAULT_DROPOUT_SEED}). Each pass of {@link Trainer.fit} draws new
   * masks (draw = the pass count, which {@link Trainer.state} saves, so a
   * resumed pass draws the same ones) for the whole batch, keyed by row, so
   * they do not depend on `batchSize`; {@link Trainer.fitStream} draws by the
   * optimizer steps taken before it and keys on the step of the stream.
   */
  readonly dropoutSeed?: number;
  /**
   * Sets the optimizer's `lr` before every update from the rate it had when
   * the Trainer was made and the epoch and step counts (see `scheduledLr`),
   * so a restored state goes on with the same rates.
   */
  readonly lrSchedule?: LrSchedule;
}

/** Options of {@link Trainer.evaluate}. */
export interface EvaluateOptions {
  /** The data sequence holding the targets (default `"y"`). */
  readonly target?: string;
}

/** The loss and a metric of the current weights on some data. */
export interface Evaluation {
  /** The program's loss over one uninterrupted forward pass (mean over the counted steps and rows). */
  readonly loss: number;
  /** Which metric. */
  readonly metric: MetricName;
  /** Its value over the steps that count for the loss. */
  readonly value: number;
}

/** Options of {@link Trainer.train}. */
export interface TrainOptions {
  /** Epochs to reach: training runs until the trainer has completed this many (so a restored trainer goes on where it stopped). */
  readonly epochs: number;
  /** Data to measure the loss (and metric) on after each epoch, without training on it. */
  readonly validation?: SequenceData;
  /** The metric to measure on the training and validation data after each epoch. */
  readonly metric?: MetricName;
  /** The data sequence holding the targets for the metric (default `"y"`). */
  readonly target?: string;
  /** Hooks run around the epochs, in order. */
  readonly callbacks?: readonly TrainingCallback[];
  /** Runs after every optimizer step, as {@link Trainer.fit}'s `onStep`. */
  readonly onStep?: (report: StepReport, epoch: number) => void | Promise<void>;
}

/** What one optimizer step saw; with the `deltaNorms` option, its window's {@link GradientFlow} too. */
export interface StepReport extends Partial<GradientFlow> {
  /** Updates done so far, this one included. */
  readonly step: number;
  /** Minibatch index within the call. */
  readonly batch: number;
  /** The window of the plan. */
  readonly window: PlanWindow;
  /** The window's loss before the update: the mean over its counted (step, row) pairs. */
  readonly loss: number;
  /** Number of (step, row) pairs its loss counted. */
  readonly lossRows: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
}

/** Result of one {@link Trainer.fit} call (one epoch). */
export interface FitResult {
  /**
   * The pass's loss: the mean over every counted (step, row) pair of every
   * window and minibatch, before each window's update ({@link meanLoss}),
   * the convention of every loss unroll reports.
   */
  readonly loss: number;
  /** Every step's report. */
  readonly steps: readonly StepReport[];
}

/**
 * Trains a loaded program: each call of {@link fit} is one pass (epoch) over a
 * batch of sequences, one optimizer step per window of the truncation plan,
 * the state carried from window to window. Parameters are updated in place.
 *
 * Statefulness is explicit: with `stateful`, the final state of each minibatch
 * starts that minibatch in the next call, until {@link resetState}; without
 * it every call starts from the data's `initialState` (zeros if absent).
 */
export class Trainer {
  private carried: (Record<string, Tensor> | undefined)[] = [];
  private carriedSensitivities: (Sensitivities | undefined)[] = [];
  private updates = 0;
  private passes = 0;
  /** Where the running pass of {@link fit} stands, kept current for {@link state}. */
  private pass: Pass | undefined;
  /** The position {@link restore} left for the next {@link fit}. */
  private resumeAt: Pass | undefined;
  private compiler: WindowCompiler | undefined;
  /** The optimizer's rate when the Trainer was made: what {@link TrainerOptions.lrSchedule} scales. */
  private readonly baseLr: number;

  constructor(
    private readonly loaded: LoadedProgram,
    private readonly program: CheckedProgram,
    /** The parameters being trained, updated in place. */
    readonly params: Record<string, Tensor>,
    private readonly options: TrainerOptions,
  ) {
    this.baseLr = options.optimizer.lr;
    if (options.lrSchedule) {
      try {
        checkLrSchedule(options.lrSchedule);
      } catch (e) {
        throw new InputError(`lrSchedule: ${(e as Error).message}`);
      }
    }
  }

  /** The learning rate the next update will use (the schedule's, or the optimizer's own). */
  get lr(): number {
    const schedule = this.options.lrSchedule;
    return schedule ? scheduledLr(this.baseLr, schedule, { epoch: this.passes, step: this.updates }) : this.options.optimizer.lr;
  }

  /**
   * The loss and `metric` of the current weights on `data`: one uninterrupted
   * forward pass from the data's initial state (not a carried one), the metric
   * counting the steps the loss counts (those inside each row's length).
   */
  async evaluate(data: SequenceData, metric: MetricName, options: EvaluateOptions = {}): Promise<Evaluation> {
    const target = options.target ?? "y";
    const targets = ownEntry(data.sequences, target);
    if (!targets)
      throw new InputError(`the data has no target sequence "${target}" to measure ${metric} against (it has: ${Object.keys(data.sequences).join(", ")})`);
    const { loss, outputs } = await this.forward(data);
    const { steps } = dataSize(this.program, data);
    const mask = data.lengths ? maskOfLengths(data.lengths, steps, dtypeOf(outputs.data)) : undefined;
    return { loss, metric, value: computeMetric(metric, outputs, targets, mask) };
  }

  /**
   * Trains until {@link epochs} reaches `options.epochs`, as Keras's `fit`:
   * after each epoch it measures the metric on the training data and the loss
   * and metric on the validation data, runs the callbacks, and stops early
   * when one asks. Returns one {@link EpochLog} per epoch run.
   */
  async train(data: SequenceData, options: TrainOptions): Promise<TrainingHistory> {
    const { epochs, validation, metric, callbacks = [] } = options;
    if (!(Number.isSafeInteger(epochs) && epochs >= 1)) throw new InputError(`epochs must be a positive integer, got ${epochs}`);
    const evalOptions = options.target ? { target: options.target } : {};
    let stopped = false;
    const control: TrainingControl = { params: this.params, ...(metric ? { metric } : {}), stop: () => void (stopped = true) };
    const logs: EpochLog[] = [];
    for (const c of callbacks) await c.onTrainBegin?.(control);
    while (this.passes < epochs && !stopped) {
      const epoch = this.passes + 1;
      const fit = await this.fit(data, options.onStep ? (s) => options.onStep!(s, epoch) : undefined);
      const train = metric ? await this.evaluate(data, metric, evalOptions) : undefined;
      const val = validation
        ? metric
          ? await this.evaluate(validation, metric, evalOptions)
          : { loss: (await this.forward(validation)).loss, value: undefined }
        : undefined;
      const log: EpochLog = {
        epoch,
        loss: fit.loss,
        ...(train ? { metric: train.value } : {}),
        ...(val ? { valLoss: val.loss } : {}),
        ...(val?.value !== undefined ? { valMetric: val.value } : {}),
        lr: this.options.optimizer.lr,
      };
      logs.push(log);
      for (const c of callbacks) await c.onEpochEnd?.(log, control);
    }
    const history: TrainingHistory = { ...(metric ? { metric } : {}), epochs: logs, stopped: stopped && this.passes < epochs };
    for (const c of callbacks) await c.onTrainEnd?.(history, control);
    return history;
  }

  /** The outputs and loss of the current weights on `data` (one forward pass, dropout off). */
  private async forward(data: SequenceData): Promise<{ loss: number; outputs: Tensor }> {
    const r = await runForward(this.loaded, this.params, data, this.program);
    if (r.loss === undefined) throw new InputError("the program has no loss to evaluate");
    return { loss: r.loss, outputs: r.outputs };
  }

  /** Forgets carried states (and RTRL's sensitivities) and any restored position: the next call starts a pass from the data's initial state. */
  resetState(): void {
    this.carried = [];
    this.carriedSensitivities = [];
    this.resumeAt = undefined;
  }

  /** The state carried into the next call for each minibatch (empty unless stateful). */
  carriedState(): readonly (Readonly<Record<string, Tensor>> | undefined)[] {
    return this.carried;
  }

  /** Number of optimizer steps taken so far. */
  get steps(): number {
    return this.updates;
  }

  /**
   * Refuses `data` when a window of training on it would need more than the
   * memory budget, without running anything: BPTT's longest window of the plan
   * over a minibatch, RTRL's window of `updateEvery` steps. {@link fit} checks
   * this first; a caller may check before it creates anything of its own.
   */
  checkMemory(data: SequenceData): void {
    const { steps: T, batch: B } = dataSize(this.program, data);
    const dtype = dtypeOf(Object.values(data.sequences)[0].data);
    const masked = data.lengths !== undefined;
    const method = this.options.method;
    this.compiler ??= new WindowCompiler(this.program);
    if (isForwardMethod(method)) {
      checkRtrlProgram(this.program, this.options);
      checkRtrlMemory(this.compiler, Math.min(this.options.updateEvery ?? T, T), B, dtype, masked, this.options.memoryBudget, false, method);
      return;
    }
    const plan = planWindows(T, this.options.truncation ?? { kind: "full" });
    const longest = plan.windows.reduce((a, w) => (w.end - w.start > a.end - a.start ? w : a));
    const program = this.compiler.compile({
      steps: longest.end - longest.start,
      batch: Math.min(this.options.batchSize ?? B, B),
      dtype,
      gradients: true,
      masked,
      collectStates: plan.windows.some((w, i) => i > 0 && w.start < plan.windows[i - 1].end),
      checkpointEvery: this.options.checkpointEvery ?? 1,
      givenStates: Object.keys(this.program.states),
      ...(this.options.deltaNorms ? { deltas: true } : {}),
    });
    checkWindowMemory(program, this.options.memoryBudget ?? defaultMemoryBudget());
  }

  /** Passes of {@link fit} completed so far (an interrupted one not counted). */
  get epochs(): number {
    return this.passes;
  }

  /**
   * The whole training state as plain JSON-able data: parameters, optimizer,
   * step and pass counts, carried states, and, when taken between the
   * optimizer steps of a pass (from `onStep`), where that pass stands. A
   * fresh Trainer on the same program, options and data that {@link restore}s
   * it continues bit-identically. {@link fitStream} positions are not saved:
   * the stream is the caller's.
   */
  state(): TrainerState {
    const p = this.pass;
    const saveSens = (s: Sensitivities): SavedSensitivities => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, saveTensors(v)]));
    return {
      version: TRAINER_STATE_VERSION,
      dtype: this.dtype(),
      steps: this.updates,
      epochs: this.passes,
      params: saveTensors(this.params),
      optimizer: saveOptimizerState(this.options.optimizer.state()),
      carried: Array.from(this.carried, (s) => (s ? saveTensors(s) : null)),
      carriedSensitivities: Array.from(this.carriedSensitivities, (s) => (s ? saveSens(s) : null)),
      position: p
        ? {
            batch: p.batch,
            window: p.window,
            entering: p.entering ? saveTensors(p.entering) : null,
            kept: Object.fromEntries([...p.kept].map(([t, s]) => [String(t), saveTensors(s)])),
            state: p.state ? saveTensors(p.state) : null,
            sensitivities: p.sensitivities ? saveSens(p.sensitivities) : null,
            loss: saveNumber(p.loss.loss),
            lossRows: p.loss.lossRows,
          }
        : null,
    };
  }

  /**
   * Restores a {@link Trainer.state}: the parameters (in place, names and shapes
   * checked), the optimizer, the counts and carried states; a saved position
   * makes the next {@link fit} go on from there instead of starting a pass.
   */
  restore(state: TrainerState): void {
    if (state.version !== TRAINER_STATE_VERSION) throw new InputError(trainerStateVersionMessage(state.version));
    const dtype = this.dtype();
    if (state.dtype !== dtype) throw new InputError(`trainer state dtype is ${state.dtype} but the parameters are ${dtype}`);
    const names = Object.keys(this.params).sort().join(", ");
    if (Object.keys(state.params).sort().join(", ") !== names) {
      throw new InputError(`trainer state params are ${Object.keys(state.params).sort().join(", ")}, not this model's ${names}`);
    }
    const params = loadTensors(state.params, dtype, "params");
    for (const [name, p] of Object.entries(this.params)) {
      if (params[name].shape.join(",") !== p.shape.join(",")) {
        throw new InputError(`params.${name}: shape [${params[name].shape.join(", ")}] but the model expects [${p.shape.join(", ")}]`);
      }
    }
    try {
      this.options.optimizer.load(loadOptimizerState(state.optimizer));
    } catch (e) {
      throw new InputError(`optimizer: ${(e as Error).message}`);
    }
    for (const [name, p] of Object.entries(this.params)) p.data.set(params[name].data);
    const loadSens = (s: SavedSensitivities, field: string): Sensitivities =>
      Object.fromEntries(Object.entries(s).map(([k, v]) => [k, loadTensors(v, dtype, `${field}.${k}`)]));
    this.updates = state.steps;
    this.passes = state.epochs;
    this.carried = state.carried.map((s, i) => (s ? loadTensors(s, dtype, `carried[${i}]`) : undefined));
    this.carriedSensitivities = state.carriedSensitivities.map((s, i) => (s ? loadSens(s, `carriedSensitivities[${i}]`) : undefined));
    const p = state.position;
    this.pass = undefined;
    this.resumeAt = p
      ? {
          batch: p.batch,
          window: p.window,
          ...(p.entering ? { entering: loadTensors(p.entering, dtype, "position.entering") } : {}),
          kept: new Map(Object.entries(p.kept).map(([t, s]) => [Number(t), loadTensors(s, dtype, `position.kept.${t}`)])),
          ...(p.state ? { state: loadTensors(p.state, dtype, "position.state") } : {}),
          ...(p.sensitivities ? { sensitivities: loadSens(p.sensitivities, "position.sensitivities") } : {}),
          loss: { loss: loadNumber(p.loss), lossRows: p.lossRows },
        }
      : undefined;
  }

  /**
   * One pass over the data; `onStep` runs after every optimizer step. After
   * {@link restore} of a state taken mid-pass, it goes on from there, and
   * its result covers the steps it ran (its `loss` the whole pass's).
   */
  async fit(data: SequenceData, onStep?: (report: StepReport) => void | Promise<void>): Promise<FitResult> {
    const pass = this.startPass();
    const result = isForwardMethod(this.options.method) ? await this.fitOnline(data, pass, onStep) : await this.fitWindows(data, pass, onStep);
    this.passes++;
    this.pass = undefined;
    return result;
  }

  /** {@link fit} by BPTT: each minibatch in the windows of the truncation plan. */
  private async fitWindows(data: SequenceData, pass: Pass, onStep?: (report: StepReport) => void | Promise<void>): Promise<FitResult> {
    const { steps: T, batch: B } = dataSize(this.program, data);
    const plan = planWindows(T, this.options.truncation ?? { kind: "full" });
    if (plan.windows.length > 1 && this.program.stages.some((s) => s.reverse)) {
      throw new InputError("truncated BPTT needs a causal model: a reverse scan (a bidirectional or reverse layer) reads the future, so use full BPTT");
    }
    const size = this.options.batchSize ?? B;
    if (!(Number.isInteger(size) && size >= 1)) throw new InputError(`batchSize must be a positive integer, got ${size}`);
    checkPosition(pass, Math.ceil(B / size), plan.windows.length);
    const dtype = dtypeOf(Object.values(data.sequences)[0].data);
    const mask = data.lengths ? maskOfLengths(data.lengths, T, dtype) : undefined;
    const overlapping = plan.windows.some((w, i) => i > 0 && w.start < plan.windows[i - 1].end);
    this.checkMemory(data);
    const reports: StepReport[] = [];
    const all = this.withMasks(data, this.passes);
    while (pass.batch * size < B) {
      const mb = pass.batch;
      const from = mb * size;
      const to = Math.min(B, from + size);
      const rows = (t: Tensor, axis: number): Tensor => (from === 0 && to === B ? t : selectRows(t, from, to, axis));
      const sequences = Object.fromEntries(Object.entries(all.sequences).map(([k, v]) => [k, rows(v, 1)]));
      if (pass.window === 0) {
        const entering: Record<string, Tensor> = {};
        for (const [name, info] of Object.entries(this.program.states)) {
          const given = ownEntry(data.initialState, name);
          entering[name] =
            (this.options.stateful ? ownEntry(this.carried[mb], name) : undefined) ??
            (given ? rows(given, 0) : full(resolveShape(info.shape, to - from), info.init, dtype));
        }
        pass.entering = entering;
        pass.kept = new Map();
      }
      const entering = pass.entering!;
      // state after each step, kept only as long as a later window may start there
      const after = pass.kept;
      // the last window of the minibatch moves the position on to the next minibatch
      while (pass.batch === mb) {
        const i = pass.window;
        const w = plan.windows[i];
        const initialState = w.start === 0 ? entering : after.get(w.start - 1);
        if (!initialState) throw new InputError(`the restored position (minibatch ${mb}, window ${i}) lacks the state after step ${w.start - 1}`);
        const r = await this.loaded.runWindow({
          params: this.params,
          sequences: Object.fromEntries(Object.entries(sequences).map(([k, v]) => [k, sliceSteps(v, w.start, w.end)])),
          initialState,
          ...(mask ? { mask: sliceSteps(rows(mask, 1), w.start, w.end) } : {}),
          lossFrom: w.lossStart - w.start,
          firstStep: w.start,
          gradients: true,
          inputGradients: false,
          ...(this.options.deltaNorms ? { deltaNorms: true } : {}),
          collectStates: overlapping,
          ...(this.options.checkpointEvery ? { checkpointEvery: this.options.checkpointEvery } : {}),
        });
        const flow = this.flow(r);
        const gradNorm = this.update(r.grads!);
        if (overlapping) {
          for (let t = w.start; t < w.end; t++) {
            const s: Record<string, Tensor> = {};
            for (const [name, seq] of Object.entries(r.states)) {
              s[name] = stepView(seq, t - w.start);
            }
            after.set(t, s);
          }
        } else {
          after.set(w.end - 1, r.finalState as Record<string, Tensor>);
        }
        const next = plan.windows[i + 1];
        for (const t of [...after.keys()]) if (next && t < next.start - 1) after.delete(t);
        const report = { step: this.updates, batch: mb, window: w, loss: r.loss ?? 0, lossRows: r.lossRows, gradNorm, ...flow };
        reports.push(report);
        pass.loss = addLoss(pass.loss, report);
        pass.window++;
        // the position moves on before onStep, so that a state taken there resumes after this step
        if (pass.window === plan.windows.length) {
          if (this.options.stateful) this.carried[mb] = r.finalState as Record<string, Tensor>;
          pass.batch++;
          pass.window = 0;
          pass.entering = undefined;
          pass.kept = new Map();
        }
        await onStep?.(report);
      }
    }
    return { loss: pass.loss.loss, steps: reports };
  }

  /**
   * Trains on an endless stream, one optimizer step every `updateEvery` steps
   * (each chunk whole if unset); the state, and RTRL's sensitivities, carry
   * on from window to window and from chunk to chunk, and the first chunk
   * starts from what a stateful trainer carried. Ends with the stream.
   * With BPTT this is truncated BPTT(N, N) over the stream; with RTRL it is
   * online learning with no truncation.
   *
   * ```
   * for await chunk of stream:  for each window w of updateEvery steps of chunk:
   *   grads, state, M = run(w, state, M);  optimizer.step(grads)
   * ```
   */
  async fitStream(stream: AsyncIterable<SequenceData>, onStep?: (report: StepReport) => void | Promise<void>): Promise<FitResult> {
    if (this.options.truncation && this.options.truncation.kind !== "full") {
      throw new InputError("fitStream cuts the stream into windows of updateEvery steps: truncation does not apply");
    }
    let carried = this.options.stateful ? { state: this.carried[0], sensitivities: this.carriedSensitivities[0] } : {};
    const reports: StepReport[] = [];
    const draw = this.updates;
    let offset = 0;
    for await (const chunk of stream) {
      const { batch } = dataSize(this.program, chunk);
      if (this.options.batchSize !== undefined && this.options.batchSize < batch) {
        throw new InputError(
          `fitStream trains the whole batch of each chunk (${batch} rows) as one stream: batchSize ${this.options.batchSize} does not apply`,
        );
      }
      carried = await this.runWindows(this.withMasks(chunk, draw, offset), 0, offset, carried, reports, onStep);
      offset += dataSize(this.program, chunk).steps;
    }
    if (this.options.stateful) {
      this.carried[0] = carried.state;
      this.carriedSensitivities[0] = carried.sensitivities;
    }
    return { loss: meanLoss(reports), steps: reports };
  }

  /** {@link fit} under RTRL: each minibatch's sequence in windows of `updateEvery` steps, state and sensitivities carried. */
  private async fitOnline(data: SequenceData, pass: Pass, onStep?: (report: StepReport) => void | Promise<void>): Promise<FitResult> {
    const { steps: T, batch: B } = dataSize(this.program, data);
    const size = this.options.batchSize ?? B;
    if (!(Number.isInteger(size) && size >= 1)) throw new InputError(`batchSize must be a positive integer, got ${size}`);
    checkPosition(pass, Math.ceil(B / size), Math.ceil(T / (this.options.updateEvery ?? T)));
    const reports: StepReport[] = [];
    const all = this.withMasks(data, this.passes);
    while (pass.batch * size < B) {
      const mb = pass.batch;
      const from = mb * size;
      const to = Math.min(B, from + size);
      const part = selectDataRows(all, from, to);
      const carried: Carried =
        pass.window > 0
          ? { ...(pass.state ? { state: pass.state } : {}), ...(pass.sensitivities ? { sensitivities: pass.sensitivities } : {}) }
          : this.options.stateful
            ? { state: this.carried[mb], sensitivities: this.carriedSensitivities[mb] }
            : {};
      // the position moves on before onStep, so that a state taken there resumes after this step
      const advance = (left: Carried, loss: CountedLoss, lastWindow: boolean): void => {
        pass.loss = addLoss(pass.loss, loss);
        if (lastWindow) {
          if (this.options.stateful) {
            this.carried[mb] = left.state;
            this.carriedSensitivities[mb] = left.sensitivities;
          }
          pass.batch++;
          pass.window = 0;
          pass.state = undefined;
          pass.sensitivities = undefined;
        } else {
          pass.window++;
          pass.state = left.state;
          pass.sensitivities = left.sensitivities;
        }
      };
      await this.runWindows(part, mb, 0, carried, reports, onStep, { first: pass.window, advance });
    }
    return { loss: pass.loss.loss, steps: reports };
  }

  /** The pass {@link fit} runs: the one {@link restore} left, or a fresh one. */
  private startPass(): Pass {
    this.pass = this.resumeAt ?? { batch: 0, window: 0, kept: new Map(), loss: NO_LOSS };
    this.resumeAt = undefined;
    return this.pass;
  }

  /** The data with the dropout masks of draw `draw` (none without dropout). */
  private withMasks(data: SequenceData, draw: number, firstStep = 0): SequenceData {
    return withDropoutMasks(this.program, data, { seed: this.options.dropoutSeed ?? DEFAULT_DROPOUT_SEED, draw }, firstStep);
  }

  /** The parameters' precision. */
  private dtype(): Dtype {
    const first = Object.values(this.params)[0];
    return first ? dtypeOf(first.data) : "float64";
  }

  /** Runs one batch's sequence in windows of `updateEvery` steps with an update after each, carrying the state (and RTRL's sensitivities). */
  private async runWindows(
    data: SequenceData,
    mb: number,
    offset: number,
    carried: Carried,
    reports: StepReport[],
    onStep?: (report: StepReport) => void | Promise<void>,
    at?: WindowsPosition,
  ): Promise<Carried> {
    const { steps: T, batch: B } = dataSize(this.program, data);
    const method = this.options.method;
    const rtrl = isForwardMethod(method);
    const every = this.options.updateEvery ?? T;
    if (!(Number.isInteger(every) && every >= 1)) throw new InputError(`updateEvery must be a positive integer, got ${every}`);
    const dtype = dtypeOf(Object.values(data.sequences)[0].data);
    if (rtrl) {
      checkRtrlProgram(this.program, this.options);
      if (this.options.truncation && this.options.truncation.kind !== "full") {
        throw new InputError("RTRL does not truncate: to update during a sequence, use updateEvery");
      }
      this.compiler ??= new WindowCompiler(this.program);
      checkRtrlMemory(this.compiler, Math.min(every, T), B, dtype, data.lengths !== undefined, this.options.memoryBudget, false, method);
    }
    const mask = data.lengths ? maskOfLengths(data.lengths, T, dtype) : undefined;
    let state: Record<string, Tensor> = {};
    for (const [name, info] of Object.entries(this.program.states)) {
      state[name] = ownEntry(carried.state, name) ?? ownEntry(data.initialState, name) ?? full(resolveShape(info.shape, B), info.init, dtype);
    }
    let sensitivities = carried.sensitivities;
    for (let start = (at?.first ?? 0) * every; start < T; start += every) {
      const end = Math.min(T, start + every);
      const r = await this.loaded.runWindow({
        params: this.params,
        sequences: Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, sliceSteps(v, start, end)])),
        initialState: state,
        ...(mask ? { mask: sliceSteps(mask, start, end) } : {}),
        firstStep: offset + start,
        gradients: true,
        inputGradients: false,
        collectStates: false,
        ...(rtrl ? { method, ...(sensitivities ? { sensitivities } : {}) } : {}),
        ...(!rtrl && this.options.checkpointEvery ? { checkpointEvery: this.options.checkpointEvery } : {}),
        ...(this.options.deltaNorms ? { deltaNorms: true } : {}),
      });
      const flow = this.flow(r);
      const gradNorm = this.update(r.grads!);
      state = r.finalState as Record<string, Tensor>;
      sensitivities = r.sensitivities;
      const report = {
        step: this.updates,
        batch: mb,
        window: { start: offset + start, end: offset + end, lossStart: offset + start },
        loss: r.loss ?? 0,
        lossRows: r.lossRows,
        gradNorm,
        ...flow,
      };
      reports.push(report);
      at?.advance({ state, ...(sensitivities ? { sensitivities } : {}) }, report, end === T);
      await onStep?.(report);
    }
    return { state, sensitivities };
  }

  /** A window's gradient flow for its report, with the `deltaNorms` option (read before clipping changes the gradients). */
  private flow(r: WindowResult): Partial<GradientFlow> {
    return this.options.deltaNorms ? gradientFlowOf(r) : {};
  }

  /** Clips the gradients as configured and takes one optimizer step; returns the norm before clipping. */
  private update(grads: Readonly<Record<string, Tensor>>): number {
    const gradNorm = globalGradNorm(grads);
    if (this.options.clipValue !== undefined) clipGradValue(grads, this.options.clipValue);
    // value clipping changes the norm; otherwise the one just measured is still right
    if (this.options.clipNorm !== undefined) clipGradNorm(grads, this.options.clipNorm, this.options.clipValue === undefined ? gradNorm : undefined);
    if (this.options.lrSchedule) this.options.optimizer.lr = this.lr;
    this.options.optimizer.step(this.params, grads);
    this.updates++;
    return gradNorm;
  }
}

/** RTRL's sensitivities, by param and then by state. */
type Sensitivities = Readonly<Record<string, Readonly<Record<string, Tensor>>>>;

/** What one window hands the next: the state and, under RTRL, the sensitivities. */
interface Carried {
  /** The state, by name. */
  readonly state?: Readonly<Record<string, Tensor>>;
  /** The sensitivities. */
  readonly sensitivities?: Sensitivities;
}

/** Where a pass of {@link Trainer.fit} stands: the in-memory form of {@link SavedPosition}. */
interface Pass {
  /** Minibatch of the next window. */
  batch: number;
  /** Index of the next window within the minibatch. */
  window: number;
  /** BPTT: the state entering the minibatch. */
  entering?: Record<string, Tensor>;
  /** BPTT: the state after step t, for the steps later windows start after. */
  kept: Map<number, Record<string, Tensor>>;
  /** RTRL: the state entering the next window. */
  state?: Readonly<Record<string, Tensor>>;
  /** RTRL: the sensitivities entering the next window. */
  sensitivities?: Sensitivities;
  /** The loss of the windows done so far, and how many (step, row) pairs it counted. */
  loss: CountedLoss;
}

/** Where {@link Trainer.fit} under RTRL starts a minibatch's windows, and how it moves the position on after each. */
interface WindowsPosition {
  /** Index of the first window to run. */
  readonly first: number;
  /** Called after each update, before `onStep`, with what the next window needs. */
  readonly advance: (left: Carried, loss: CountedLoss, lastWindow: boolean) => void;
}

/** Throws when a restored position does not fit this data's minibatches and windows (other data than the state was taken on). */
function checkPosition(pass: Pass, batches: number, windows: number): void {
  const inside = pass.batch < batches ? pass.window < windows : pass.batch === batches && pass.window === 0;
  if (!inside) {
    throw new InputError(
      `the restored position (minibatch ${pass.batch}, window ${pass.window}) is outside this data's ${batches} minibatches of ${windows} windows`,
    );
  }
}
