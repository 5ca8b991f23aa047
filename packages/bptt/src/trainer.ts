import { InputError } from "./input-error.js";
import { ownEntry } from "./own-entry.js";
import { dtypeOf, full, resolveShape, type CheckedProgram, type Tensor } from "@unroll/ir";
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
import { selectRows } from "./rows.js";

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
}

/** What one optimizer step saw; with the `deltaNorms` option, its window's {@link GradientFlow} too. */
export interface StepReport extends Partial<GradientFlow> {
  /** Updates done so far, this one included. */
  readonly step: number;
  /** Minibatch index within the call. */
  readonly batch: number;
  /** The window of the plan. */
  readonly window: PlanWindow;
  /** The window's loss before the update. */
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
}

/** Result of one {@link Trainer.fit} call (one epoch). */
export interface FitResult {
  /** Mean of the windows' losses. */
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
  private compiler: WindowCompiler | undefined;

  constructor(
    private readonly loaded: LoadedProgram,
    private readonly program: CheckedProgram,
    /** The parameters being trained, updated in place. */
    readonly params: Record<string, Tensor>,
    private readonly options: TrainerOptions,
  ) {}

  /** Forgets carried states (and RTRL's sensitivities): the next call starts from the data's initial state. */
  resetState(): void {
    this.carried = [];
    this.carriedSensitivities = [];
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

  /** One pass over the data; `onStep` runs after every optimizer step. */
  async fit(data: SequenceData, onStep?: (report: StepReport) => void | Promise<void>): Promise<FitResult> {
    if (isForwardMethod(this.options.method)) return this.fitOnline(data, onStep);
    const { steps: T, batch: B } = dataSize(this.program, data);
    const plan = planWindows(T, this.options.truncation ?? { kind: "full" });
    if (plan.windows.length > 1 && this.program.stages.some((s) => s.reverse)) {
      throw new InputError("truncated BPTT needs a causal model: a bidirectional layer reads the future, so use full BPTT");
    }
    const size = this.options.batchSize ?? B;
    if (!(Number.isInteger(size) && size >= 1)) throw new InputError(`batchSize must be a positive integer, got ${size}`);
    const dtype = dtypeOf(Object.values(data.sequences)[0].data);
    const mask = data.lengths ? maskOfLengths(data.lengths, T, dtype) : undefined;
    const overlapping = plan.windows.some((w, i) => i > 0 && w.start < plan.windows[i - 1].end);
    this.checkMemory(data);
    const reports: StepReport[] = [];
    for (let mb = 0, from = 0; from < B; mb++, from += size) {
      const to = Math.min(B, from + size);
      const rows = (t: Tensor, axis: number): Tensor => (from === 0 && to === B ? t : selectRows(t, from, to, axis));
      const sequences = Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, rows(v, 1)]));
      const entering: Record<string, Tensor> = {};
      for (const [name, info] of Object.entries(this.program.states)) {
        const given = ownEntry(data.initialState, name);
        entering[name] =
          (this.options.stateful ? ownEntry(this.carried[mb], name) : undefined) ??
          (given ? rows(given, 0) : full(resolveShape(info.shape, to - from), info.init, dtype));
      }
      // state after each step, kept only as long as a later window may start there
      const after = new Map<number, Record<string, Tensor>>();
      let last = entering;
      for (const [i, w] of plan.windows.entries()) {
        const r = await this.loaded.runWindow({
          params: this.params,
          sequences: Object.fromEntries(Object.entries(sequences).map(([k, v]) => [k, sliceSteps(v, w.start, w.end)])),
          initialState: w.start === 0 ? entering : after.get(w.start - 1)!,
          ...(mask ? { mask: sliceSteps(rows(mask, 1), w.start, w.end) } : {}),
          lossFrom: w.lossStart - w.start,
          firstStep: w.start,
          gradients: true,
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
          const next = plan.windows[i + 1];
          for (const t of [...after.keys()]) if (next && t < next.start - 1) after.delete(t);
        } else {
          after.set(w.end - 1, r.finalState as Record<string, Tensor>);
        }
        last = r.finalState as Record<string, Tensor>;
        const report = { step: this.updates, batch: mb, window: w, loss: r.loss ?? 0, gradNorm, ...flow };
        reports.push(report);
        await onStep?.(report);
      }
      if (this.options.stateful) this.carried[mb] = last;
    }
    const loss = reports.reduce((a, r) => a + r.loss, 0) / Math.max(1, reports.length);
    return { loss, steps: reports };
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
    let offset = 0;
    for await (const chunk of stream) {
      const { batch } = dataSize(this.program, chunk);
      if (this.options.batchSize !== undefined && this.options.batchSize < batch) {
        throw new InputError(
          `fitStream trains the whole batch of each chunk (${batch} rows) as one stream: batchSize ${this.options.batchSize} does not apply`,
        );
      }
      carried = await this.runWindows(chunk, 0, offset, carried, reports, onStep);
      offset += dataSize(this.program, chunk).steps;
    }
    if (this.options.stateful) {
      this.carried[0] = carried.state;
      this.carriedSensitivities[0] = carried.sensitivities;
    }
    const loss = reports.reduce((a, r) => a + r.loss, 0) / Math.max(1, reports.length);
    return { loss, steps: reports };
  }

  /** {@link fit} under RTRL: each minibatch's sequence in windows of `updateEvery` steps, state and sensitivities carried. */
  private async fitOnline(data: SequenceData, onStep?: (report: StepReport) => void | Promise<void>): Promise<FitResult> {
    const { batch: B } = dataSize(this.program, data);
    const size = this.options.batchSize ?? B;
    if (!(Number.isInteger(size) && size >= 1)) throw new InputError(`batchSize must be a positive integer, got ${size}`);
    const reports: StepReport[] = [];
    for (let mb = 0, from = 0; from < B; mb++, from += size) {
      const to = Math.min(B, from + size);
      const rows = (t: Tensor, axis: number): Tensor => (from === 0 && to === B ? t : selectRows(t, from, to, axis));
      const part: SequenceData = {
        sequences: Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, rows(v, 1)])),
        ...(data.initialState ? { initialState: Object.fromEntries(Object.entries(data.initialState).map(([k, v]) => [k, rows(v, 0)])) } : {}),
        ...(data.lengths ? { lengths: data.lengths.slice(from, to) } : {}),
      };
      const carried = this.options.stateful ? { state: this.carried[mb], sensitivities: this.carriedSensitivities[mb] } : {};
      const left = await this.runWindows(part, mb, 0, carried, reports, onStep);
      if (this.options.stateful) {
        this.carried[mb] = left.state;
        this.carriedSensitivities[mb] = left.sensitivities;
      }
    }
    const loss = reports.reduce((a, r) => a + r.loss, 0) / Math.max(1, reports.length);
    return { loss, steps: reports };
  }

  /** Runs one batch's sequence in windows of `updateEvery` steps with an update after each, carrying the state (and RTRL's sensitivities). */
  private async runWindows(
    data: SequenceData,
    mb: number,
    offset: number,
    carried: Carried,
    reports: StepReport[],
    onStep?: (report: StepReport) => void | Promise<void>,
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
    for (let start = 0; start < T; start += every) {
      const end = Math.min(T, start + every);
      const r = await this.loaded.runWindow({
        params: this.params,
        sequences: Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, sliceSteps(v, start, end)])),
        initialState: state,
        ...(mask ? { mask: sliceSteps(mask, start, end) } : {}),
        firstStep: offset + start,
        gradients: true,
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
        gradNorm,
        ...flow,
      };
      reports.push(report);
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
