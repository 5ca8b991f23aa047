import { InputError } from "./input-error.js";
import { addInto, dtypeOf, zeros, type CheckedProgram, type Tensor } from "@unroll/ir";
import type { LoadedProgram } from "./backend.js";
import { dataSize, maskOfLengths, sliceSteps, stepView, type SequenceData } from "./data.js";
import { planWindows, type Plan, type Truncation } from "./plan.js";
import { WindowCompiler } from "./program/compile-window.js";
import { gradientFlowOf, type GradientFlow } from "./gradient-flow.js";
import { checkMemory, defaultMemoryBudget } from "./memory-budget.js";
import { estimateRunMemory } from "./program/run-memory.js";
import { checkRtrlMemory, checkRtrlProgram } from "./rtrl-memory.js";
import { meanLoss } from "./mean-loss.js";
import type { WindowSize } from "./check-request.js";
import { withDropoutMasks, type DropoutMode } from "./dropout-masks.js";
import { isForwardMethod, type ForwardMethod, type GradientMethod, type WindowResult } from "./window.js";

/** Options of {@link runForward} and {@link computeGradients}. */
export interface RunOptions {
  /** Keep the state only every this many steps and recompute the rest in backward (time checkpointing). */
  readonly checkpointEvery?: number;
  /**
   * Return every step's state in `forward.states` (default true). Full BPTT on a
   * long stream needs only the final state: turning this off keeps memory to
   * what backward needs. Truncated plans always keep them (windows start there).
   */
  readonly collectStates?: boolean;
  /**
   * How gradients are computed (default `"bptt"`). `"rtrl"` carries the
   * states' sensitivities forward instead of running backward: the same
   * gradients as full BPTT, no `inputGrads` or `initialStateGrads`, and it
   * refuses truncation (it has no windows to cut) and checkpointing.
   */
  readonly method?: GradientMethod;
  /**
   * Bytes the computation may use, checked before anything is allocated: the
   * run's estimated peak under BPTT ({@link estimateRunMemory}), RTRL's or
   * SnAp-1's window ({@link checkRtrlMemory}). Default `defaultMemoryBudget()`.
   */
  readonly memoryBudget?: number;
  /**
   * Measure gradient flow through time: each window gets `deltaNorms` (the
   * norm of `∂L/∂h_t` at every step of its span) and `gradNorms`. BPTT only.
   * Default false, and then nothing more is computed.
   */
  readonly deltaNorms?: boolean;
  /**
   * The dropout masks of a program with dropout ({@link dropoutMasks}):
   * `{ seed, draw }` in training, the same masks for the same pair; `"off"`
   * (the default) multiplies by 1, as in evaluation.
   */
  readonly dropout?: DropoutMode;
}

/** One window of a truncated gradient computation; with the `deltaNorms` option, its {@link GradientFlow} too. */
export interface WindowGradients extends Partial<GradientFlow> {
  /** First step of the backprop span. */
  readonly start: number;
  /** One past its last step. */
  readonly end: number;
  /** First step whose loss counts. */
  readonly lossStart: number;
  /** The window's loss: mean over its counted (step, row) pairs. */
  readonly loss: number;
  /** Number of (step, row) pairs its loss counted. */
  readonly lossRows: number;
  /** The window's parameter gradients. */
  readonly grads: Readonly<Record<string, Tensor>>;
}

/** Loss, outputs and gradients of a whole sequence under a truncation plan. */
export interface GradientResult {
  /**
   * The loss of the whole sequence: the mean over every counted (step, row)
   * pair ({@link meanLoss} of the windows), the same whatever the truncation,
   * and the loss of one forward pass.
   */
  readonly loss: number;
  /** Number of (step, row) pairs the loss counted. */
  readonly lossRows: number;
  /** The forward pass: outputs, states per step and final state. */
  readonly forward: WindowResult;
  /** Sum over windows of the parameter gradients. */
  readonly grads: Readonly<Record<string, Tensor>>;
  /** Sum over windows of the gradients with respect to each data sequence `[T, B, ...]` (empty under RTRL). */
  readonly inputGrads: Readonly<Record<string, Tensor>>;
  /** Gradient with respect to the initial state, from the windows that start at step 0 (empty under RTRL). */
  readonly initialStateGrads: Readonly<Record<string, Tensor>>;
  /** The plan that was run. */
  readonly plan: Plan;
  /** Each window's loss and gradients. */
  readonly windows: readonly WindowGradients[];
}

/** Runs the program forward over the whole sequence: outputs, states, final state and loss. */
export async function runForward(
  loaded: LoadedProgram,
  params: Readonly<Record<string, Tensor>>,
  data: SequenceData,
  program: CheckedProgram,
): Promise<WindowResult> {
  const { steps } = dataSize(program, data);
  const dtype = dtypeOf(Object.values(data.sequences)[0].data);
  return loaded.runWindow({
    params,
    // evaluation: dropout off
    sequences: withDropoutMasks(program, data, "off").sequences,
    initialState: data.initialState ?? {},
    ...(data.lengths ? { mask: maskOfLengths(data.lengths, steps, dtype) } : {}),
    gradients: false,
  });
}

/** The state entering step `t`: the initial state at 0, else the state after step t-1. */
function stateEntering(program: CheckedProgram, forward: WindowResult, data: SequenceData, t: number): Record<string, Tensor> {
  if (t === 0) return { ...(data.initialState ?? {}) };
  return Object.fromEntries(Object.keys(program.states).map((name) => [name, stepView(forward.states[name], t - 1)]));
}

/** Throws when a plan truncates a program that reads the future (a bidirectional layer), which truncation cannot serve. */
export function checkTruncatable(program: CheckedProgram, plan: Plan): void {
  if (plan.windows.length > 1 && program.stages.some((s) => s.reverse)) {
    throw new InputError("truncated BPTT needs a causal model: a reverse scan (a bidirectional or reverse layer) reads the future, so use full BPTT");
  }
}

/**
 * Gradients of the loss over a whole sequence, without updating anything. With
 * truncation, each window of the plan backpropagates from its own loss through its
 * span, entering with the state of one uninterrupted forward pass; `grads` sums
 * the windows' gradients (as truncated BPTT accumulates them), while `loss` is
 * their {@link meanLoss}, the mean over the sequence's counted steps.
 *
 * Guide: [training through time](../../../docs/guides/training-through-time.md) derives full BPTT, truncated BPTT and
 * RTRL and checks this function against plain loops on a worked example.
 */
export async function computeGradients(
  loaded: LoadedProgram,
  program: CheckedProgram,
  params: Readonly<Record<string, Tensor>>,
  data: SequenceData,
  truncation: Truncation,
  options: RunOptions = {},
): Promise<GradientResult> {
  const size = dataSize(program, data);
  if (Object.keys(program.dropout).length === 0) return gradientsOf(loaded, program, params, data, size, truncation, options);
  const result = await gradientsOf(loaded, program, params, withDropoutMasks(program, data, options.dropout ?? "off"), size, truncation, options);
  // the masks are not data the caller gave: no gradient for them
  const inputGrads = Object.fromEntries(Object.entries(result.inputGrads).filter(([name]) => !program.dropout[name]));
  return { ...result, inputGrads };
}

/** {@link computeGradients} once the data holds every sequence the program reads, dropout masks included. */
async function gradientsOf(
  loaded: LoadedProgram,
  program: CheckedProgram,
  params: Readonly<Record<string, Tensor>>,
  data: SequenceData,
  size: WindowSize,
  truncation: Truncation,
  options: RunOptions,
): Promise<GradientResult> {
  const { steps, batch } = size;
  const plan = planWindows(steps, truncation);
  const dtype = dtypeOf(Object.values(data.sequences)[0].data);
  const mask = data.lengths ? maskOfLengths(data.lengths, steps, dtype) : undefined;
  checkTruncatable(program, plan);
  if (isForwardMethod(options.method)) return rtrlGradients(loaded, program, params, data, size, plan, options, options.method);
  const run = estimateRunMemory(new WindowCompiler(program), plan, {
    batch,
    dtype,
    masked: mask !== undefined,
    ...(options.checkpointEvery ? { checkpointEvery: options.checkpointEvery } : {}),
    collectStates: options.collectStates ?? true,
    givenStates: Object.keys(data.initialState ?? {}),
  });
  const kind = plan.windows.length === 1 ? "full BPTT" : `truncated BPTT in ${plan.windows.length} windows`;
  checkMemory(run.peak, options.memoryBudget ?? defaultMemoryBudget(), `${kind} of ${steps} steps × batch ${batch} needs`, "estimated peak");
  const flow = options.deltaNorms === true;
  const measured = (r: WindowResult): Partial<GradientFlow> => (flow ? gradientFlowOf(r) : {});
  const forward = await loaded.runWindow({
    params,
    sequences: data.sequences,
    initialState: data.initialState ?? {},
    ...(mask ? { mask } : {}),
    gradients: plan.windows.length === 1,
    ...(flow && plan.windows.length === 1 ? { deltaNorms: true } : {}),
    collectStates: plan.windows.length > 1 || (options.collectStates ?? true),
    ...(options.checkpointEvery ? { checkpointEvery: options.checkpointEvery } : {}),
  });
  if (plan.windows.length === 1) {
    const w = plan.windows[0];
    return {
      loss: forward.loss ?? 0,
      lossRows: forward.lossRows,
      forward,
      grads: forward.grads!,
      inputGrads: forward.inputGrads!,
      initialStateGrads: forward.initialStateGrads!,
      plan,
      windows: [{ ...w, loss: forward.loss ?? 0, lossRows: forward.lossRows, grads: forward.grads!, ...measured(forward) }],
    };
  }
  const grads: Record<string, Tensor> = {};
  for (const [name, shape] of Object.entries(program.params)) grads[name] = zeros(shape, dtype);
  const inputGrads: Record<string, Tensor> = {};
  for (const [name, seq] of Object.entries(data.sequences)) inputGrads[name] = zeros(seq.shape, dtype);
  const initialStateGrads: Record<string, Tensor> = {};
  const windows: WindowGradients[] = [];
  for (const w of plan.windows) {
    const sequences: Record<string, Tensor> = {};
    for (const [name, seq] of Object.entries(data.sequences)) sequences[name] = sliceSteps(seq, w.start, w.end);
    const r = await loaded.runWindow({
      params,
      sequences,
      initialState: stateEntering(program, forward, data, w.start),
      ...(mask ? { mask: sliceSteps(mask, w.start, w.end) } : {}),
      lossFrom: w.lossStart - w.start,
      firstStep: w.start,
      gradients: true,
      ...(flow ? { deltaNorms: true } : {}),
      collectStates: false,
      ...(options.checkpointEvery ? { checkpointEvery: options.checkpointEvery } : {}),
    });
    windows.push({ ...w, loss: r.loss ?? 0, lossRows: r.lossRows, grads: r.grads!, ...measured(r) });
    for (const [name, g] of Object.entries(r.grads!)) addInto(grads[name], g);
    for (const [name, g] of Object.entries(r.inputGrads!)) addInto(sliceSteps(inputGrads[name], w.start, w.end), g);
    if (w.start === 0) {
      for (const [name, g] of Object.entries(r.initialStateGrads!)) {
        // own keys only: a state may be named "hasOwnProperty"
        if (Object.hasOwn(initialStateGrads, name)) addInto(initialStateGrads[name], g);
        else initialStateGrads[name] = { shape: g.shape, data: g.data.slice() };
      }
    }
  }
  const lossRows = windows.reduce((n, w) => n + w.lossRows, 0);
  return { loss: meanLoss(windows), lossRows, forward, grads, inputGrads, initialStateGrads, plan, windows };
}

/** {@link computeGradients} by RTRL: one window over the whole sequence, gradients carried forward. */
async function rtrlGradients(
  loaded: LoadedProgram,
  program: CheckedProgram,
  params: Readonly<Record<string, Tensor>>,
  data: SequenceData,
  { steps, batch }: WindowSize,
  plan: Plan,
  options: RunOptions,
  method: ForwardMethod,
): Promise<GradientResult> {
  checkRtrlProgram(program, options);
  if (plan.windows.length > 1) throw new InputError("RTRL computes the gradient of the whole sequence as it goes: truncation does not apply to it");
  const dtype = dtypeOf(Object.values(data.sequences)[0].data);
  checkRtrlMemory(new WindowCompiler(program), steps, batch, dtype, data.lengths !== undefined, options.memoryBudget, options.collectStates ?? true, method);
  const forward = await loaded.runWindow({
    params,
    sequences: data.sequences,
    initialState: data.initialState ?? {},
    ...(data.lengths ? { mask: maskOfLengths(data.lengths, steps, dtype) } : {}),
    gradients: true,
    method,
    collectStates: options.collectStates ?? true,
    // refused by the request's check, with the reason
    ...(options.deltaNorms ? { deltaNorms: true } : {}),
  });
  const w = plan.windows[0];
  const loss = forward.loss ?? 0;
  const { lossRows } = forward;
  return {
    loss,
    lossRows,
    forward,
    grads: forward.grads!,
    inputGrads: {},
    initialStateGrads: {},
    plan,
    windows: [{ ...w, loss, lossRows, grads: forward.grads! }],
  };
}
