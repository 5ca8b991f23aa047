import { resolveShape, sizeOf, type CheckedProgram } from "@unroll/ir";
import type { GradientMethod } from "@unroll/bptt";

/** What one call on a pool worker does, as {@link WorkerBackendOptions.timeout} sees it. */
export type PoolCall =
  | {
      /** Starting the worker and loading every program into it, loading one program, or forgetting one. */
      readonly kind: "startup" | "load" | "unload";
    }
  | {
      /** Running one worker's slice of a window. */
      readonly kind: "runWindow";
      /** Time steps of the window. */
      readonly steps: number;
      /** Batch rows of this worker's slice. */
      readonly rows: number;
      /** Whether gradients are computed, and how. */
      readonly gradients: false | GradientMethod;
      /** Estimated multiply-adds of the slice (see {@link sliceWork}): what a timeout that scales with the work scales with. */
      readonly work: number;
    };

/**
 * How long a worker may take to answer one call, in milliseconds, before the
 * pool deems it hung: a number for every call, or a function of the call.
 * `Infinity` waits forever.
 */
export type WorkerTimeout = number | ((call: PoolCall) => number);

/** The fixed part of the default timeout: far above a worker's start-up (well under a second) and a small window, even on a loaded machine. */
export const DEFAULT_TIMEOUT_BASE_MS = 60_000;

/**
 * The work-scaled part of the default timeout: multiply-adds per millisecond
 * granted to a window slice, i.e. 10 million a second, 100 to 1000 times less
 * than the CPU kernels do on one core.
 */
export const DEFAULT_TIMEOUT_WORK_PER_MS = 10_000;

/**
 * The default {@link WorkerTimeout}: {@link DEFAULT_TIMEOUT_BASE_MS} (one
 * minute) for any call, plus, for a window slice, one millisecond per
 * {@link DEFAULT_TIMEOUT_WORK_PER_MS} of its estimated multiply-adds. A hang
 * is caught within a minute for windows that take well under one, and a long
 * window on a slow machine gets a bound that grows with it.
 */
export function defaultTimeout(call: PoolCall): number {
  return DEFAULT_TIMEOUT_BASE_MS + (call.kind === "runWindow" ? call.work / DEFAULT_TIMEOUT_WORK_PER_MS : 0);
}

/**
 * Estimated multiply-adds of `rows` rows over `steps` steps: a step costs about
 * one multiply-add per parameter per row (each weight is used once per row),
 * four with gradients by BPTT (forward, two backward products, a checkpoint
 * recompute), and RTRL and SnAp-1 also update the sensitivities, whose
 * product with the step's Jacobian costs `params × state²` (RTRL) or
 * `params × state` (SnAp-1) per row, `state` being the size of all states.
 */
export function sliceWork(program: CheckedProgram, steps: number, rows: number, gradients: false | GradientMethod): number {
  const params = Object.values(program.params).reduce((n, shape) => n + sizeOf(shape), 0);
  const state = Object.values(program.states).reduce((n, info) => n + sizeOf(resolveShape(info.shape, 1)), 0);
  const perParam = gradients === false ? 1 : gradients === "bptt" ? 4 : gradients === "rtrl" ? 4 + state * state : 4 + state;
  return steps * rows * params * perParam;
}

/** The timeout function for an option value, checked: a positive number (`Infinity` included) or a function. */
export function timeoutFunction(option: WorkerTimeout | undefined): (call: PoolCall) => number {
  if (option === undefined) return defaultTimeout;
  if (typeof option === "function") return option;
  if (typeof option !== "number" || !(option > 0))
    throw new Error(`timeout must be a positive number of milliseconds (or Infinity, or a function of the call), got ${String(option)}`);
  return () => option;
}
