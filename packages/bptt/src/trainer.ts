import { InputError } from "./input-error.js";
import { dtypeOf, full, resolveShape, type CheckedProgram, type Tensor } from "@unroll/ir";
import type { LoadedProgram } from "./backend.js";
import { dataSize, maskOfLengths, sliceSteps, stepView, type SequenceData } from "./data.js";
import { clipGradNorm, clipGradValue, globalGradNorm } from "./optim/clip.js";
import type { Optimizer } from "./optim/optimizer.js";
import { planWindows, type PlanWindow, type Truncation } from "./plan.js";
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
}

/** What one optimizer step saw. */
export interface StepReport {
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
  private updates = 0;

  constructor(
    private readonly loaded: LoadedProgram,
    private readonly program: CheckedProgram,
    /** The parameters being trained, updated in place. */
    readonly params: Record<string, Tensor>,
    private readonly options: TrainerOptions,
  ) {}

  /** Forgets carried states: the next call starts from the data's initial state. */
  resetState(): void {
    this.carried = [];
  }

  /** The state carried into the next call for each minibatch (empty unless stateful). */
  carriedState(): readonly (Readonly<Record<string, Tensor>> | undefined)[] {
    return this.carried;
  }

  /** Number of optimizer steps taken so far. */
  get steps(): number {
    return this.updates;
  }

  /** One pass over the data; `onStep` runs after every optimizer step. */
  async fit(data: SequenceData, onStep?: (report: StepReport) => void | Promise<void>): Promise<FitResult> {
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
    const reports: StepReport[] = [];
    for (let mb = 0, from = 0; from < B; mb++, from += size) {
      const to = Math.min(B, from + size);
      const rows = (t: Tensor, axis: number): Tensor => (from === 0 && to === B ? t : selectRows(t, from, to, axis));
      const sequences = Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, rows(v, 1)]));
      const entering: Record<string, Tensor> = {};
      for (const [name, info] of Object.entries(this.program.states)) {
        const given = data.initialState?.[name];
        entering[name] =
          (this.options.stateful ? this.carried[mb]?.[name] : undefined) ??
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
          collectStates: overlapping,
          ...(this.options.checkpointEvery ? { checkpointEvery: this.options.checkpointEvery } : {}),
        });
        const grads = r.grads!;
        const gradNorm = globalGradNorm(grads);
        if (this.options.clipValue !== undefined) clipGradValue(grads, this.options.clipValue);
        // value clipping changes the norm; otherwise the one just measured is still right
        if (this.options.clipNorm !== undefined) clipGradNorm(grads, this.options.clipNorm, this.options.clipValue === undefined ? gradNorm : undefined);
        this.options.optimizer.step(this.params, grads);
        this.updates++;
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
        const report = { step: this.updates, batch: mb, window: w, loss: r.loss ?? 0, gradNorm };
        reports.push(report);
        await onStep?.(report);
      }
      if (this.options.stateful) this.carried[mb] = last;
    }
    const loss = reports.reduce((a, r) => a + r.loss, 0) / Math.max(1, reports.length);
    return { loss, steps: reports };
  }
}
