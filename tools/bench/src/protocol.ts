/** What the parent asks one child process to measure: one (system, workload case) pair. */
export interface ChildJob {
  /** System label, e.g. `"unroll/cpu"` or `"tfjs-wasm"`. */
  readonly system: string;
  /** Workload case id, e.g. `"W3-lstm"`. */
  readonly case: string;
  /** Use the case's `--quick` sizes. */
  readonly quick: boolean;
  /** Untimed steps first, and more until `warmupMs` have passed (only the first one when that one is already slow). */
  readonly warmup: number;
  /** Keep warming up until this long has passed. */
  readonly warmupMs: number;
  /** Timed steps; 0 runs the first step only (checked mode). */
  readonly repeats: number;
  /** Keep timing steps until this long has passed too, so fast cases get a stable median. */
  readonly minTimeMs: number;
  /** Give up, reporting "skipped", when the first step takes longer than this. */
  readonly budgetMs: number;
  /** Also compute the first window's gradient norm (checked mode). */
  readonly gradNorm: boolean;
}

/** The outcome of a pair that did not run to the end. */
export type NotRunStatus =
  /** A step took longer than the budget. */
  | "skipped"
  /** The system has no counterpart for this case. */
  | "n/a"
  /** The system could not be started here (e.g. its package is missing). */
  | "unavailable"
  /** It failed while running. */
  | "error";

/** Measurements of a pair that ran. */
export interface ChildMeasurement {
  /** Discriminant. */
  readonly status: "ok";
  /** Each timed step, ms. */
  readonly timesMs: readonly number[];
  /** Each window of the timed steps, ms (truncated BPTT only). */
  readonly windowMs: readonly number[];
  /** Loss of the first step's first window, at the seeded weights. */
  readonly loss: number;
  /** Gradient norm of that window, when asked. */
  readonly gradNorm?: number;
  /** The first (warm-up) step, ms. */
  readonly firstStepMs: number;
  /** Peak RSS of the child process, MB. */
  readonly peakRssMb: number;
  /** RSS after imports and before the workload was set up, MB. */
  readonly baseRssMb: number;
}

/** A pair that did not run to the end. */
export interface ChildNotRun {
  /** Why. */
  readonly status: NotRunStatus;
  /** One line for the table. */
  readonly reason: string;
}

/** A child's final report. */
export type ChildResult = ChildMeasurement | ChildNotRun;

/** One JSON line a child prints on stdout. */
export type ChildEvent = ({ readonly event: "first-step"; readonly ms: number }) | ({ readonly event: "result" } & ChildResult);
