import type { ChildResult } from "./protocol.js";
import { interquartileRange, median } from "./stats.js";
import type { SystemEntry } from "./systems.js";
import type { Workload } from "./workloads.js";

/**
 * Half-width factor of a median's ~95% interval from the interquartile range,
 * `1.58 · IQR / √n` (McGill, Tukey and Larsen's box-plot notches): two medians
 * whose notches do not overlap differ beyond their samples' noise.
 */
export const NOTCH_FACTOR = 1.58;

/** What one build measured of one pair over all its rounds. */
export interface SideSummary {
  /** `ok` when every round measured; else the first failed round's status. */
  readonly status: string;
  /** Why not ok. */
  readonly reason: string | null;
  /** Median of all timed steps of all rounds, ms. */
  readonly median_ms: number | null;
  /** Interquartile range of those steps over their median: the step-to-step jitter. */
  readonly iqr_rel: number | null;
  /** Fastest and slowest timed step. */
  readonly min_ms: number | null;
  readonly max_ms: number | null;
  /** Timed steps, all rounds together. */
  readonly repeats: number;
  /** Each round's (process's) median, ms, in run order. */
  readonly round_medians_ms: readonly number[];
  /** The largest peak RSS of the rounds' processes, MB. */
  readonly peak_rss_mb: number | null;
  /** Loss at the seeded weights, first window of the first step. */
  readonly loss: number | null;
}

/** Whether the current build is slower, faster or the same as the baseline, given the run's noise. */
export type Verdict = "slower" | "faster" | "same";

/** One output row of a comparison: a (system, workload case) pair on both builds, as printed by `--json`. */
export interface ComparisonRecord {
  /** Marks comparison lines apart from the plain run's `BenchRecord` lines. */
  readonly kind: "comparison";
  /** `"W1"`…`"W6"`. */
  readonly workload: string;
  /** The case within the workload (`""` when it has none). */
  readonly variant: string;
  /** `"unroll"`, `"tfjs-cpu"` or `"tfjs-wasm"`. */
  readonly system: string;
  /** Backend name. */
  readonly backend: string;
  /** Workers of the unroll backend, null when it has none. */
  readonly workers: number | null;
  /** True under `--quick`. */
  readonly quick: boolean;
  /** Processes per side. */
  readonly rounds: number;
  /** Which build the baseline is (`main = 585d4b7 subject`). */
  readonly baseline_build: string;
  /** Which build the current side is (`working tree at 585d4b7 subject`). */
  readonly current_build: string;
  /** The baseline build's measurements. */
  readonly baseline: SideSummary;
  /** This tree's measurements. */
  readonly current: SideSummary;
  /** current median_ms / baseline median_ms: above 1 the current build is slower. */
  readonly ratio: number | null;
  /**
   * current min_ms / baseline min_ms: the fastest steps. Load from other
   * processes only adds time, so on a busy machine this moves less than the
   * median ratio; it misses a change that slows only some steps (e.g. more GC).
   */
  readonly min_ratio: number | null;
  /** The same ratio per round, each from two processes run back to back. */
  readonly round_ratios: readonly number[];
  /** Relative half-width within which `ratio` is indistinguishable from 1 in this run (see `comparisonNoise`). */
  readonly noise: number | null;
  /** `ratio` against `noise`; null without a ratio or with a single round. */
  readonly verdict: Verdict | null;
}

/**
 * Pools a build's rounds of one pair. A side with a failed round has no
 * measurement: mixing a partial side into a ratio would hide the failure.
 */
export function summarizeSide(rounds: readonly ChildResult[]): SideSummary {
  const failed = rounds.find((r) => r.status !== "ok");
  const ok = failed ? [] : rounds.flatMap((r) => (r.status === "ok" ? [r] : []));
  const steps = ok.flatMap((r) => r.timesMs);
  const med = steps.length ? median(steps) : null;
  return {
    status: failed ? failed.status : rounds.length ? "ok" : "error",
    reason: failed ? (failed as { reason: string }).reason : rounds.length ? null : "no rounds",
    median_ms: med,
    iqr_rel: med ? interquartileRange(steps) / med : null,
    min_ms: steps.length ? Math.min(...steps) : null,
    max_ms: steps.length ? Math.max(...steps) : null,
    repeats: steps.length,
    round_medians_ms: ok.map((r) => median(r.timesMs)),
    peak_rss_mb: ok.length ? Math.max(...ok.map((r) => r.peakRssMb)) : null,
    loss: ok[0]?.loss ?? null,
  };
}

/**
 * The relative noise of `ratio`: the larger of two estimates, so that either
 * kind of noise widens it.
 * - Within processes: the two medians' notch half-widths, `1.58 · IQR / median / √n`
 *   per side, added in quadrature (the relative error of a quotient).
 * - Between processes: how far the furthest round's ratio lies from the pooled
 *   ratio. Rounds pair two processes run back to back, so load that drifts
 *   between rounds cancels in each round's ratio, and what is left is the
 *   process-to-process noise (JIT decisions, memory layout, a burst of load)
 *   that the step-to-step spread does not see.
 */
export function comparisonNoise(baseline: SideSummary, current: SideSummary, ratio: number, roundRatios: readonly number[]): number {
  const notch = (s: SideSummary): number => (NOTCH_FACTOR * (s.iqr_rel ?? 0)) / Math.sqrt(Math.max(1, s.repeats));
  const within = Math.hypot(notch(baseline), notch(current));
  const between = Math.max(0, ...roundRatios.map((r) => Math.abs(r / ratio - 1)));
  return Math.max(within, between);
}

/** `slower` or `faster` when the ratio is further from 1 than the noise, else `same`. */
export function verdict(ratio: number, noise: number): Verdict {
  return ratio > 1 + noise ? "slower" : ratio < 1 - noise ? "faster" : "same";
}

/** What the two sides are, as the header and each JSON line name them. */
export interface BuildNames {
  /** The baseline's description. */
  readonly baseline: string;
  /** The current side's description. */
  readonly current: string;
}

/**
 * The comparison row of one pair from each build's rounds (`baseline[i]` and
 * `current[i]` ran back to back).
 */
export function compareBuilds(
  w: Workload,
  s: SystemEntry,
  baseline: readonly ChildResult[],
  current: readonly ChildResult[],
  quick: boolean,
  builds: BuildNames,
): ComparisonRecord {
  const b = summarizeSide(baseline);
  const c = summarizeSide(current);
  const both = b.median_ms !== null && c.median_ms !== null && b.median_ms > 0;
  const ratio = both ? c.median_ms! / b.median_ms! : null;
  const roundRatios = both ? b.round_medians_ms.map((m, i) => c.round_medians_ms[i] / m) : [];
  const noise = ratio === null ? null : comparisonNoise(b, c, ratio, roundRatios);
  return {
    kind: "comparison",
    workload: w.workload,
    variant: w.variant,
    system: s.system,
    backend: s.backend,
    workers: s.workers ?? null,
    quick,
    rounds: Math.max(baseline.length, current.length),
    baseline_build: builds.baseline,
    current_build: builds.current,
    baseline: b,
    current: c,
    ratio,
    min_ratio: both && b.min_ms ? c.min_ms! / b.min_ms : null,
    round_ratios: roundRatios,
    noise,
    // one round sees no process-to-process noise, which dominates on a shared machine: no verdict
    verdict: ratio === null || noise === null || roundRatios.length < 2 ? null : verdict(ratio, noise),
  };
}
