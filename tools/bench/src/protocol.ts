/**
 * The contract between the parent (`main.ts`) and a child process that
 * measures one pair. It is the only interface between two builds compared with
 * `--baseline`: the parent of this tree starts the baseline's own child script,
 * so whatever else changes in the baseline's harness, these must hold:
 *
 * - the child is `CHILD_SCRIPT` under the checkout's root, started as
 *   `node --conditions=source --import tsx <root>/tools/bench/src/child.ts '<ChildJob as JSON>'`
 *   (`CHILD_NODE_FLAGS`) with the root as working directory, so that tsx and
 *   the workspace packages resolve to that checkout's;
 * - it prints one JSON object per line on stdout: optionally
 *   `{"event":"first-step","ms":…}` when the first step ends (the watchdog),
 *   then exactly one `{"event":"result", …ChildResult}`; other lines go to the
 *   parent's stderr, unknown events and unknown fields are ignored, so a newer
 *   child may say more;
 * - a `ChildJob` field the child does not know must not change what it
 *   measures, and the case ids and system labels mean the same workload and
 *   backend on both sides (`--check` catches a case whose sizes changed: its
 *   loss differs).
 */

/** Where a checkout's child script is, relative to its root. */
export const CHILD_SCRIPT = "tools/bench/src/child.ts";

/**
 * Node flags of every child: workspace packages load from their TypeScript
 * sources (`source` export condition) through tsx, which `--import` resolves
 * from the working directory, i.e. from the child's own checkout.
 */
export const CHILD_NODE_FLAGS: readonly string[] = ["--conditions=source", "--import", "tsx"];

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

/** The timings and losses of a pair that ran: what a child process and the browser page (`--browser`) both measure. */
export interface StepTimings {
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
  /** Gradient norm of the first step's last window, when it has several (what is carried across updates shows here). */
  readonly lastGradNorm?: number;
  /** The first (warm-up) step, ms. */
  readonly firstStepMs: number;
}

/** Measurements of a pair that ran in a child process: its timings and its process's memory. */
export interface ChildMeasurement extends StepTimings {
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
export type ChildEvent = { readonly event: "first-step"; readonly ms: number } | ({ readonly event: "result" } & ChildResult);
