import type { BrowserResult } from "./page-protocol.js";
import type { ChildJob, ChildMeasurement, ChildResult, StepTimings } from "./protocol.js";
import { runChild, type Build } from "./run-child.js";
import { relativeDifference } from "./stats.js";
import { REFERENCE, type SystemEntry } from "./systems.js";
import { workloadById, type Workload } from "./workloads.js";

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
 * RTRL's memory does not grow with the sequence length: the longer case's
 * peak RSS over its process's base stays within this factor of the shorter
 * one's (allowing for garbage-collection timing).
 */
export const MEMORY_GROWTH_TOLERANCE = 1.25;

/** What a pair's process added to its RSS by setting up and running its case, MB. */
export function addedMemoryMb(r: { readonly peakRssMb: number; readonly baseRssMb: number }): number {
  return r.peakRssMb - r.baseRssMb;
}

/** A pair's result, from a child process or from the browser page. */
type PairResult = ChildResult | BrowserResult;
/** A pair that ran, from either. */
type PairMeasurement = Extract<PairResult, StepTimings>;

/**
 * Checked mode: for each case, runs one step of every system in its own
 * process (or, with `run` the browser's, its own page) at the seeded weights
 * and compares its loss, and for training its gradient norms (the first
 * window's, and the last one's when there are several), with unroll/cpu's.
 * Then the relations a case declares: memory that must not grow with its
 * length (`memoryFlatFrom`; not in the browser, which has no RSS), a first
 * window that must equal another method's (`firstWindowAs`). Returns false
 * when any pair disagrees or fails; a peer over budget or without a
 * counterpart is reported, not failed.
 */
export async function runChecks(
  cases: readonly Workload[],
  systems: readonly SystemEntry[],
  quick: boolean,
  budgetMs: number,
  log: (line: string) => void,
  run: (job: ChildJob) => Promise<PairResult> = (job) => runChild(job),
): Promise<boolean> {
  // one run per (case, system): a relation may name a case that runs later, or was not selected
  const results = new Map<string, Promise<PairResult>>();
  const resultOf = (id: string, s: SystemEntry): Promise<PairResult> => {
    const key = `${id}\n${s.label}`;
    if (!results.has(key)) results.set(key, run(checkJob(workloadById(id, quick), s, quick, budgetMs)));
    return results.get(key)!;
  };
  const reference = systems.find((s) => s.label === REFERENCE)!;
  let good = true;
  for (const w of cases) {
    const ref = await resultOf(w.id, reference);
    if (ref.status !== "ok") {
      log(`check ${w.id}: ${REFERENCE} ${ref.status}: ${(ref as { reason: string }).reason}  ✗`);
      good = false;
      continue;
    }
    const last = ref.lastGradNorm === undefined ? "" : `, last window's ${fmt(ref.lastGradNorm)}`;
    log(`check ${w.id}: ${REFERENCE} loss ${fmt(ref.loss)}${ref.gradNorm === undefined ? "" : `, grad norm ${fmt(ref.gradNorm)}`}${last}`);
    for (const s of systems.filter((e) => e.label !== REFERENCE)) {
      const r = await resultOf(w.id, s);
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
    for (const s of systems) good = (await checkRelations(w, s, quick, resultOf, log)) && good;
  }
  return good;
}

/** Checks the relations `w` declares with other cases, on system `s` (where both ran); false on a violation or an error. */
async function checkRelations(
  w: Workload,
  s: SystemEntry,
  quick: boolean,
  resultOf: (id: string, s: SystemEntry) => Promise<PairResult>,
  log: (line: string) => void,
): Promise<boolean> {
  const r = await resultOf(w.id, s);
  if (r.status !== "ok") return true;
  let good = true;
  const other = async (id: string, what: string): Promise<PairMeasurement | undefined> => {
    const o = await resultOf(id, s);
    if (o.status === "ok") return o;
    good &&= o.status !== "error";
    log(`  ${s.label.padEnd(18)} ${what}: ${id} ${o.status}: ${o.reason}${o.status === "error" ? "  ✗" : ""}`);
    return undefined;
  };
  if (w.memoryFlatFrom && !("peakRssMb" in r)) log(`  ${s.label.padEnd(18)} memory: not checked (a page has no RSS)`);
  else if (w.memoryFlatFrom && "peakRssMb" in r) {
    const short = await other(w.memoryFlatFrom, "memory");
    if (short && "peakRssMb" in short) {
      const ratio = addedMemoryMb(r) / addedMemoryMb(short);
      const flat = ratio <= MEMORY_GROWTH_TOLERANCE;
      good &&= flat;
      const mb = (m: ChildMeasurement): string => `${addedMemoryMb(m).toFixed(0)} MB (peak ${m.peakRssMb.toFixed(0)})`;
      log(
        `  ${s.label.padEnd(18)} memory over base: ${mb(r)} at T=${w.steps}, ${mb(short)} at T=${workloadById(w.memoryFlatFrom, quick).steps}, ` +
          `×${ratio.toFixed(2)}  ${flat ? `✓ ≤ ${MEMORY_GROWTH_TOLERANCE}` : `✗ GROWS (> ${MEMORY_GROWTH_TOLERANCE})`}`,
      );
    }
  }
  if (w.firstWindowAs) {
    const peer = await other(w.firstWindowAs, "first window");
    if (peer) {
      const dLoss = relativeDifference(r.loss, peer.loss);
      const dNorm = r.gradNorm !== undefined && peer.gradNorm !== undefined ? relativeDifference(r.gradNorm, peer.gradNorm) : undefined;
      const same = dLoss <= LOSS_TOLERANCE && dNorm !== undefined && dNorm <= GRAD_NORM_TOLERANCE;
      good &&= same;
      const norm = dNorm === undefined ? ", no grad norm" : `, grad norm rel ${dNorm.toExponential(1)}`;
      log(`  ${s.label.padEnd(18)} first window as ${w.firstWindowAs}: loss rel ${dLoss.toExponential(1)}${norm}  ${same ? "✓ same" : "✗ DIFFERENT"}`);
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
