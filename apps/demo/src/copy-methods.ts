import type { Optimizer, TrainerOptions } from "@unroll/bptt";

/** How the copy task's gradients are computed through time. */
export type CopyMethod = "bptt" | "tbptt" | "rtrl" | "snap1";

/** Every {@link CopyMethod}, in the order `--method all` runs them. */
export const copyMethods: readonly CopyMethod[] = ["bptt", "tbptt", "rtrl", "snap1"];

/** What decides a method's gradients, besides the model and the data. */
export interface MethodSettings {
  /** Truncated BPTT's window K. */
  readonly window: number;
  /** RTRL and SnAp-1: an optimizer step every this many steps; absent: one per sequence batch for RTRL, every step for SnAp-1 (an online method). */
  readonly updateEvery?: number;
}

/**
 * SnAp-1's update interval: every step unless told otherwise. It is an online
 * method: one update per whole sequence lets the sensitivities it drops pile
 * up over the lag (with the default seed it then stays at chance), while
 * updating every step learns the task as RTRL does.
 */
const snapEvery = (s: MethodSettings): number => s.updateEvery ?? 1;

/** "every step" or "every N steps". */
const every = (n: number): string => (n === 1 ? "every step" : `every ${n} steps`);

/** A method's name in the terminal, the report and the chart's legend. */
export function methodLabel(method: CopyMethod, s: MethodSettings): string {
  switch (method) {
    case "bptt":
      return "full BPTT";
    case "tbptt":
      return `truncated BPTT (K = ${s.window})`;
    case "rtrl":
      return s.updateEvery === undefined ? "RTRL" : `RTRL, online (update ${every(s.updateEvery)})`;
    case "snap1":
      return `SnAp-1, online (update ${every(snapEvery(s))})`;
  }
}

/** One sentence on how the method updates on a batch of sequences of `steps` steps. */
export function methodSchedule(method: CopyMethod, s: MethodSettings, steps: number): string {
  switch (method) {
    case "bptt":
      return `backpropagates through all ${steps} steps: one update per batch`;
    case "tbptt":
      return `windows of ${s.window} steps, the state carried from window to window, gradients cut at each window's start: ${Math.ceil(steps / s.window)} updates per batch`;
    case "rtrl":
      return s.updateEvery === undefined
        ? `carries the state's sensitivity to every weight forward through all ${steps} steps (no backward pass, no truncation): one update per batch`
        : `carries the sensitivities forward through the whole sequence and updates ${every(s.updateEvery)}: ${Math.ceil(steps / s.updateEvery)} updates per batch`;
    case "snap1":
      return `carries one sensitivity per weight (the entries of RTRL's that one step fills) forward through all ${steps} steps and updates ${every(snapEvery(s))}: ${Math.ceil(steps / snapEvery(s))} updates per batch`;
  }
}

/**
 * The trainer options of a method. Every run starts each batch from a zero
 * state (not stateful): the sequences are independent.
 */
export function methodTrainerOptions(method: CopyMethod, s: MethodSettings, optimizer: Optimizer, clipNorm: number): TrainerOptions {
  switch (method) {
    case "bptt":
      return { optimizer, clipNorm };
    case "tbptt":
      return { optimizer, clipNorm, truncation: { kind: "chunked", window: s.window } };
    case "rtrl":
      return { optimizer, clipNorm, method, ...(s.updateEvery !== undefined ? { updateEvery: s.updateEvery } : {}) };
    case "snap1":
      return { optimizer, clipNorm, method, updateEvery: snapEvery(s) };
  }
}
