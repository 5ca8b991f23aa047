import { InputError } from "./input-error.js";
/**
 * How gradients are cut along time:
 * - `full`: backpropagate through the whole sequence;
 * - `chunked`: windows of `window` steps, the state carried forward, the gradient stopped at each window's start;
 * - `k1k2`: Williams and Peng's BPTT(k1, k2): every k1 steps, backpropagate the loss of those
 *   k1 steps through at most the last k2 steps.
 */
export type Truncation = FullBptt | ChunkedBptt | BpttK1K2;

/** Full BPTT through the whole sequence. */
export interface FullBptt {
  /** Discriminant. */
  readonly kind: "full";
}

/** Chunked truncated BPTT. */
export interface ChunkedBptt {
  /** Discriminant. */
  readonly kind: "chunked";
  /** Window length K. */
  readonly window: number;
}

/** Williams and Peng's BPTT(k1, k2). */
export interface BpttK1K2 {
  /** Discriminant. */
  readonly kind: "k1k2";
  /** Steps between updates. */
  readonly k1: number;
  /** Backprop span (at least k1). */
  readonly k2: number;
}

/** One window of a plan: a backprop span and the steps whose loss counts. */
export interface PlanWindow {
  /** First step of the backprop span (inclusive); the state entering it is a constant. */
  readonly start: number;
  /** One past the span's last step; an update happens after it. */
  readonly end: number;
  /** First step whose loss counts (`start <= lossStart < end`). */
  readonly lossStart: number;
}

/** The schedule of a run over T steps, as data: it can be printed, tested and shipped to a worker. */
export interface Plan {
  /** Sequence length. */
  readonly steps: number;
  /** The truncation that produced it. */
  readonly truncation: Truncation;
  /** Windows in execution order. */
  readonly windows: readonly PlanWindow[];
}

/**
 * Unrolls T steps into windows. BPTT(k1, k2): updates after steps k1, 2·k1, …;
 * each update's loss is that of its k1 steps and its span the last min(k2, steps
 * so far) steps. When T is not a multiple of k1 the final window is cut short at
 * T with the same rules: its span starts where a full window's would, so chunked
 * truncation with K (which is BPTT(K, K)) ends with a short chunk, as in the usual
 * detach-every-K recipe. Full BPTT is one window.
 *
 * ```
 * for i in 0..ceil(T/k1)-1:
 *   lossStart = i·k1; end = min(lossStart + k1, T); start = max(0, lossStart + k1 - k2)
 * ```
 */
export function planWindows(steps: number, truncation: Truncation): Plan {
  if (!(Number.isInteger(steps) && steps >= 1)) throw new InputError(`a sequence needs at least one step, got ${steps}`);
  let k1: number;
  let k2: number;
  switch (truncation.kind) {
    case "full":
      return { steps, truncation, windows: [{ start: 0, end: steps, lossStart: 0 }] };
    case "chunked":
      k1 = k2 = truncation.window;
      break;
    case "k1k2":
      ({ k1, k2 } = truncation);
      break;
  }
  for (const [name, v] of [
    ["k1", k1],
    ["k2", k2],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new InputError(`${name} must be a positive integer, got ${v}`);
  }
  if (k2 < k1) {
    throw new InputError(`BPTT(k1=${k1}, k2=${k2}): k2 must be at least k1, or the loss of the earliest steps of each update would get no gradient`);
  }
  const windows: PlanWindow[] = [];
  for (let lossStart = 0; lossStart < steps; lossStart += k1) {
    const end = Math.min(lossStart + k1, steps);
    windows.push({ start: Math.max(0, lossStart + k1 - k2), end, lossStart });
  }
  return { steps, truncation, windows };
}

/** A plan as text, one window per line, for logs and tests. */
export function formatPlan(plan: Plan): string {
  return plan.windows.map((w, i) => `window ${i}: span [${w.start}, ${w.end}) loss [${w.lossStart}, ${w.end})`).join("\n");
}
