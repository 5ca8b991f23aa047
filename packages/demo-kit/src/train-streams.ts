import type { Tensor } from "@unroll/ir";
import type { StepReport, Trainer } from "@unroll/bptt";
import type { StreamSource } from "./stream-source.js";

/** Train this many optimizer steps. */
export interface StepsBudget {
  /** Tag. */
  readonly kind: "steps";
  /** Optimizer steps of this run. */
  readonly steps: number;
}

/** Train for this long. */
export interface TimeBudget {
  /** Tag. */
  readonly kind: "time";
  /** Seconds of training (pauses not counted). */
  readonly seconds: number;
}

/** How long to train: a number of optimizer steps, or seconds of training. */
export type Budget = StepsBudget | TimeBudget;

/**
 * Where a run over streams stands. With the weights and the optimizer's state
 * it is everything needed to continue exactly where training stopped.
 */
export interface LoopPosition {
  /** Optimizer steps done so far. */
  readonly step: number;
  /** Next step of the streams to read. */
  readonly position: number;
  /** Completed passes over the streams. */
  readonly epoch: number;
  /** The state entering `position`, per state name `[B, ...]`; absent: zeros (start of a pass). */
  readonly state?: Readonly<Record<string, Tensor>>;
}

/** One optimizer step of {@link trainStreams}, as its `onStep` hears of it. */
export interface LoopStep {
  /** Optimizer steps done so far, this one included, counted on from the start position's. */
  readonly step: number;
  /** The window's loss. */
  readonly loss: number;
  /** Completed passes over the streams before this window. */
  readonly epoch: number;
  /** Seconds of training since this run started; the time spent in `onPause` is not counted. */
  readonly seconds: number;
  /** The trainer's own report of the step. */
  readonly report: StepReport;
}

/** Options of {@link trainStreams}. */
export interface LoopOptions {
  /** A stateful trainer with chunked truncation of `window` steps. */
  readonly trainer: Trainer;
  /** The data, read as parallel streams. */
  readonly source: StreamSource;
  /** Truncation window K: steps per optimizer step. */
  readonly window: number;
  /** When to stop; absent: only when {@link LoopOptions.stopRequested} says so. */
  readonly budget?: Budget;
  /** Windows handed to one `Trainer.fit` call at most (default 4); results do not depend on it, the reaction time to a stop does. */
  readonly windowsPerFit?: number;
  /** Call `onPause` whenever the step count reaches a multiple of this. */
  readonly pauseEvery?: number;
  /** After every optimizer step. */
  readonly onStep?: (step: LoopStep) => void;
  /** At every multiple of `pauseEvery` steps, e.g. to draw a sample. */
  readonly onPause?: (at: LoopPosition) => void | Promise<void>;
  /** Checked before every `fit` call: the run ends there once it returns true (Ctrl-C, a Stop button). */
  readonly stopRequested?: () => boolean;
}

/** Lets timers, messages and Ctrl-C through: a backend in this thread never waits. `setImmediate` in Node, a timer in a browser. */
function yieldToEventLoop(): Promise<void> {
  const { setImmediate } = globalThis as { setImmediate?: (callback: () => void) => unknown };
  return new Promise((resolve) => (setImmediate ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/**
 * Truncated BPTT over streams: windows of K steps read in order, the state
 * carried from one to the next, one optimizer step per window. When a window
 * no longer fits in what is left of the streams, a new pass starts at step 0
 * from a zero state. The steps budget counts this run's steps only; a stop
 * request ends the run early, between two `fit` calls.
 *
 * ```
 * while budget left and no stop requested:
 *   if position + K > L: position = 0; state = zeros; epoch += 1
 *   loss, grads, state = window(params, steps [position, position + K), state)
 *   params = optimizer(params, clip(grads)); position += K; step += 1
 * ```
 */
export async function trainStreams(start: LoopPosition, options: LoopOptions): Promise<LoopPosition> {
  const { trainer, source, window: K, budget } = options;
  const perEpoch = Math.floor(source.length / K);
  if (perEpoch < 1) {
    throw new Error(`each of the ${source.batch} streams has ${source.length} steps, fewer than one window of ${K}: use fewer streams or a shorter window`);
  }
  const t0 = performance.now();
  let paused = 0; // milliseconds spent in onPause
  const seconds = (): number => (performance.now() - t0 - paused) / 1000;
  let { step, position, epoch, state } = start;
  trainer.resetState();
  for (;;) {
    const done = step - start.step;
    if (options.stopRequested?.()) break;
    if (budget && (budget.kind === "steps" ? done >= budget.steps : seconds() >= budget.seconds)) break;
    if (position + K > source.length) {
      position = 0;
      state = undefined;
      epoch++;
      trainer.resetState();
    }
    let windows = Math.min(options.windowsPerFit ?? 4, Math.floor((source.length - position) / K));
    if (budget?.kind === "steps") windows = Math.min(windows, budget.steps - done);
    if (options.pauseEvery) windows = Math.min(windows, options.pauseEvery - (step % options.pauseEvery));
    const data = source.slice(position, position + windows * K);
    await trainer.fit({ ...data, ...(state ? { initialState: state } : {}) }, (report) => {
      step++;
      options.onStep?.({ step, loss: report.loss, epoch, seconds: seconds(), report });
    });
    position += windows * K;
    state = trainer.carriedState()[0];
    if (options.pauseEvery && step % options.pauseEvery === 0 && options.onPause) {
      const p0 = performance.now();
      await options.onPause({ step, position, epoch, state });
      paused += performance.now() - p0;
    }
    await yieldToEventLoop();
  }
  return { step, position, epoch, ...(state ? { state } : {}) };
}
