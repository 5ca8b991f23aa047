/**
 * `npm run bench -- --baseline REF` (or `--baseline-dir PATH`): runs every
 * selected pair on the baseline build and on this tree, alternately, each in
 * its own process with its own build's harness, and prints one comparison row
 * per pair. See ../README.md, "Comparing two builds".
 */
import { cpus } from "node:os";
import type { BenchArgs } from "./args.js";
import { describeWorkingTree, prepareBaseline } from "./baseline.js";
import { runBuildChecks } from "./check.js";
import { compareBuilds, type ComparisonRecord } from "./compare.js";
import type { ChildResult } from "./protocol.js";
import { CURRENT_BUILD, runChild, timingJob, type Build } from "./run-child.js";
import { median } from "./stats.js";
import { selectComparisonSystems } from "./systems.js";
import { caseName, formatComparisonTable, formatLegend, systemName } from "./table.js";
import { selectWorkloads, workloadById } from "./workloads.js";

const brief = (r: ChildResult): string => (r.status === "ok" ? `${median(r.timesMs).toFixed(2)} ms` : r.status);

/**
 * The comparison run: prepares the baseline (removed again however the run
 * ends), optionally checks that both builds compute the same losses, then for
 * every case and system runs `args.rounds` rounds of one baseline and one
 * current process back to back, alternating which goes first (ABBA), so that
 * load drifting over the run, and any advantage of going first or second, hit
 * both builds alike. Returns the exit code: 1 when a pair failed on either side
 * or the check found a difference.
 */
export async function runComparison(args: BenchArgs, say: (line: string) => void): Promise<number> {
  const cases = selectWorkloads(args.only).map((w) => workloadById(w.id, args.quick));
  const systems = selectComparisonSystems(args.systems, args.quick);
  const source = args.baselineDir !== undefined ? { dir: args.baselineDir } : { ref: args.baseline! };
  const current = CURRENT_BUILD;
  const started = performance.now();
  const baseline = await prepareBaseline(source, args.baselineInstall, current, say);
  try {
    const names = { baseline: baseline.description, current: describeWorkingTree(current.root) };
    say(
      `unroll bench, comparing two builds: ${args.quick ? "quick" : "full"} run, ${args.rounds} round(s) per pair, each ${args.warmup} warm-up + ${args.repeats} timed steps per process`,
    );
    say(`baseline: ${names.baseline}`);
    say(`  at ${baseline.root}, dependencies: ${baseline.install} (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    say(`current:  ${names.current}`);
    say(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`);
    say(`cases: ${cases.map((w) => w.id).join(", ")}; systems: ${systems.map((s) => s.label).join(", ")}`);

    if (args.check) {
      say("");
      say("checked mode: one step of each pair on both builds at the same weights");
      if (!(await runBuildChecks(cases, systems, { baseline, current }, args.quick, args.budgetMs, say))) {
        say("check FAILED (✗ above): not timing");
        return 1;
      }
      say("check passed: both builds compute the same losses and gradient norms");
    }

    say("");
    const records: ComparisonRecord[] = [];
    let errors = 0;
    for (const w of cases) {
      for (const s of systems) {
        const job = timingJob(args, w, s);
        const results: Record<"baseline" | "current", ChildResult[]> = { baseline: [], current: [] };
        for (let round = 0; round < args.rounds; round++) {
          const t0 = performance.now();
          // ABBA: the side that goes first alternates, so neither always runs on the warmer or the quieter machine
          const order: [keyof typeof results, Build][] =
            round % 2 === 0
              ? [
                  ["baseline", baseline],
                  ["current", current],
                ]
              : [
                  ["current", current],
                  ["baseline", baseline],
                ];
          for (const [side, build] of order) results[side].push(await runChild(job, build));
          const [b, c] = [results.baseline[round], results.current[round]];
          const ratio = b.status === "ok" && c.status === "ok" ? ` (×${(median(c.timesMs) / median(b.timesMs)).toFixed(3)})` : "";
          process.stderr.write(
            `  ${w.id} ${s.label} round ${round + 1}/${args.rounds}: baseline ${brief(b)}, current ${brief(c)}${ratio} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
          );
        }
        const record = compareBuilds(w, s, results.baseline, results.current, args.quick, names);
        if (record.baseline.status === "error" || record.current.status === "error") errors++;
        records.push(record);
        if (args.json) process.stdout.write(`${JSON.stringify(record)}\n`);
      }
    }

    say("");
    say(formatLegend(cases));
    say("");
    say(formatComparisonTable(records));
    say("");
    say(`base/cur ms: median ms/step over all rounds' timed steps; cur/base > 1: the current build is slower`);
    say(`± noise: the larger of the medians' notches (1.58·IQR/√n, both sides) and the furthest round ratio from cur/base;`);
    say(`  verdict "slower"/"faster" only when cur/base is further from 1 than that, and none with one round (--rounds 2 or more)`);
    say(`round ratios: each round's two processes, run back to back; min c/b: fastest step over fastest step (load only adds time)`);
    say(`IQR: each side's step jitter over its median; RSS: the largest peak of that side's processes`);
    if (errors) say(`${errors} pair(s) failed on at least one side`);
    const moved = records.filter((r) => r.verdict && r.verdict !== "same");
    if (moved.length) say(`beyond the noise: ${moved.map((r) => `${caseName(r)} ${systemName(r)} ${r.verdict} ×${r.ratio!.toFixed(3)}`).join(", ")}`);
    return errors ? 1 : 0;
  } finally {
    baseline.dispose();
  }
}
