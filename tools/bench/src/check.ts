import type { ChildJob, ChildResult } from "./protocol.js";
import { runChild, type Build } from "./run-child.js";
import { relativeDifference } from "./stats.js";
import { REFERENCE, type SystemEntry } from "./systems.js";
import type { Workload } from "./workloads.js";

/** Losses of all systems at the same weights agree to this relative difference (float32). */
export const LOSS_TOLERANCE = 1e-4;
/** So do the global norms of the first window's gradients: a wrong backward pass shows here. */
export const GRAD_NORM_TOLERANCE = 1e-3;

/**
 * Two builds of the same system at the same weights agree to this relative
 * difference in the loss: tighter than between systems, since only a change in
 * float32 rounding order (e.g. a fused or reordered sum) may separate them.
 */
export const BUILD_LOSS_TOLERANCE = 1e-5;
/** ... and in the first window's gradient norm, which BPTT's long chains of products amplify more. */
export const BUILD_GRAD_NORM_TOLERANCE = 1e-4;

/** Unlimited for unroll: the check needs the reference. */
const NO_BUDGET = 3_600_000;

const fmt = (v: number): string => v.toPrecision(8);

/** One step's job at the seeded weights, with the gradient norm: what a check compares. */
const checkJob = (w: Workload, s: SystemEntry, quick: boolean, budgetMs: number): ChildJob => ({
  system: s.label,
  case: w.id,
  quick,
  warmup: 1,
  warmupMs: 0,
  repeats: 0,
  minTimeMs: 0,
  budgetMs: s.peer ? budgetMs : NO_BUDGET,
  gradNorm: true,
});

/**
 * Checked mode: for each case, runs one step of every system in its own
 * process at the seeded weights and compares its loss, and for training its
 * gradient norms (the first window's, and the last one's when there are
 * several), with unroll/cpu's. Returns false when any pair disagrees or
 * fails; a peer over budget or without a counterpart is reported, not failed.
 */
export async function runChecks(
  cases: readonly Workload[],
  systems: readonly SystemEntry[],
  quick: boolean,
  budgetMs: number,
  log: (line: string) => void,
): Promise<boolean> {
  let good = true;
  for (const w of cases) {
    const job = (s: SystemEntry): ChildJob => checkJob(w, s, quick, budgetMs);
    const ref = await runChild(job(systems.find((s) => s.label === REFERENCE)!));
    if (ref.status !== "ok") {
      log(`check ${w.id}: ${REFERENCE} ${ref.status}: ${(ref as { reason: string }).reason}  ✗`);
      good = false;
      continue;
    }
    const last = ref.lastGradNorm === undefined ? "" : `, last window's ${fmt(ref.lastGradNorm)}`;
    log(`check ${w.id}: ${REFERENCE} loss ${fmt(ref.loss)}${ref.gradNorm === undefined ? "" : `, grad norm ${fmt(ref.gradNorm)}`}${last}`);
    for (const s of systems.filter((e) => e.label !== REFERENCE)) {
      const r: ChildResult = await runChild(job(s));
      if (r.status !== "ok") {
        const failed = r.status === "error";
        good &&= !failed;
        log(`  ${s.label.padEnd(18)} ${r.status}: ${r.reason}${failed ? "  ✗" : ""}`);
        continue;
      }
      const dLoss = relativeDifference(r.loss, ref.loss);
      const dNorm = r.gradNorm !== undefined && ref.gradNorm !== undefined ? relativeDifference(r.gradNorm, ref.gradNorm) : undefined;
      const dLast = r.lastGradNorm !== undefined && ref.lastGradNorm !== undefined ? relativeDifference(r.lastGradNorm, ref.lastGradNorm) : undefined;
      const same = dLoss <= LOSS_TOLERANCE && (dNorm ?? 0) <= GRAD_NORM_TOLERANCE && (dLast ?? 0) <= GRAD_NORM_TOLERANCE;
      good &&= same;
      const norm = dNorm === undefined ? "" : `, grad norm ${fmt(r.gradNorm!)} (rel ${dNorm.toExponential(1)})`;
      const lastNorm = dLast === undefined ? "" : `, last window's ${fmt(r.lastGradNorm!)} (rel ${dLast.toExponential(1)})`;
      log(`  ${s.label.padEnd(18)} loss ${fmt(r.loss)} (rel ${dLoss.toExponential(1)})${norm}${lastNorm}  ${same ? "✓ same" : "✗ DIFFERENT"}`);
    }
  }
  return good;
}

/**
 * Checked comparison: for each case and system, runs one step on the baseline
 * (with its own harness) and on this tree, and compares their losses and
 * gradient norms within the build tolerances. A difference means the two
 * builds compute different functions, so their timings would not compare the
 * same work. Returns false when any pair disagrees or fails on either side; a
 * pair that cannot run on both (n/a, skipped, unavailable) is reported.
 */
export async function runBuildChecks(
  cases: readonly Workload[],
  systems: readonly SystemEntry[],
  builds: { readonly baseline: Build; readonly current: Build },
  quick: boolean,
  budgetMs: number,
  log: (line: string) => void,
): Promise<boolean> {
  let good = true;
  for (const w of cases) {
    for (const s of systems) {
      const job = checkJob(w, s, quick, budgetMs);
      const b = await runChild(job, builds.baseline);
      const c = await runChild(job, builds.current);
      const what = `check ${w.id} ${s.label}:`;
      if (b.status !== "ok" || c.status !== "ok") {
        const failed = b.status === "error" || c.status === "error";
        good &&= !failed;
        const side = (name: string, r: ChildResult): string => (r.status === "ok" ? `${name} ok` : `${name} ${r.status}: ${r.reason}`);
        log(`${what} ${side("baseline", b)}; ${side("current", c)}${failed ? "  ✗" : ""}`);
        continue;
      }
      const dLoss = relativeDifference(c.loss, b.loss);
      const dNorm = c.gradNorm !== undefined && b.gradNorm !== undefined ? relativeDifference(c.gradNorm, b.gradNorm) : undefined;
      const same = dLoss <= BUILD_LOSS_TOLERANCE && (dNorm === undefined || dNorm <= BUILD_GRAD_NORM_TOLERANCE);
      good &&= same;
      const norm = dNorm === undefined ? "" : `; grad norm ${fmt(b.gradNorm!)} → ${fmt(c.gradNorm!)} (rel ${dNorm.toExponential(1)})`;
      log(`${what} loss ${fmt(b.loss)} → ${fmt(c.loss)} (rel ${dLoss.toExponential(1)})${norm}  ${same ? "✓ same" : "✗ DIFFERENT"}`);
    }
  }
  return good;
}
