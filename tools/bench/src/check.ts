import type { ChildJob, ChildResult } from "./protocol.js";
import { runChild } from "./run-child.js";
import { relativeDifference } from "./stats.js";
import { REFERENCE, type SystemEntry } from "./systems.js";
import type { Workload } from "./workloads.js";

/** Losses of all systems at the same weights agree to this relative difference (float32). */
export const LOSS_TOLERANCE = 1e-4;
/** So do the global norms of the first window's gradients: a wrong backward pass shows here. */
export const GRAD_NORM_TOLERANCE = 1e-3;

/** Unlimited for unroll: the check needs the reference. */
const NO_BUDGET = 3_600_000;

const fmt = (v: number): string => v.toPrecision(8);

/**
 * Checked mode: for each case, runs one step of every system in its own
 * process at the seeded weights and compares its loss, and for training its
 * gradient norm, with unroll/cpu's. Returns false when any pair disagrees or
 * fails; a peer over budget or without a counterpart is reported, not failed.
 */
export async function runChecks(cases: readonly Workload[], systems: readonly SystemEntry[], quick: boolean, budgetMs: number, log: (line: string) => void): Promise<boolean> {
  let good = true;
  for (const w of cases) {
    const job = (s: SystemEntry): ChildJob => ({ system: s.label, case: w.id, quick, warmup: 1, warmupMs: 0, repeats: 0, minTimeMs: 0, budgetMs: s.peer ? budgetMs : NO_BUDGET, gradNorm: true });
    const ref = await runChild(job(systems.find((s) => s.label === REFERENCE)!));
    if (ref.status !== "ok") {
      log(`check ${w.id}: ${REFERENCE} ${ref.status}: ${(ref as { reason: string }).reason}  ✗`);
      good = false;
      continue;
    }
    log(`check ${w.id}: ${REFERENCE} loss ${fmt(ref.loss)}${ref.gradNorm === undefined ? "" : `, grad norm ${fmt(ref.gradNorm)}`}`);
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
      const same = dLoss <= LOSS_TOLERANCE && (dNorm === undefined || dNorm <= GRAD_NORM_TOLERANCE);
      good &&= same;
      const norm = dNorm === undefined ? "" : `, grad norm ${fmt(r.gradNorm!)} (rel ${dNorm.toExponential(1)})`;
      log(`  ${s.label.padEnd(18)} loss ${fmt(r.loss)} (rel ${dLoss.toExponential(1)})${norm}  ${same ? "✓ same" : "✗ DIFFERENT"}`);
    }
  }
  return good;
}
