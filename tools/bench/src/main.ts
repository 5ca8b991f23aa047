/**
 * `npm run bench -- [--quick] [--json] [--check] [--only W1,W4]`: runs every
 * selected (system, workload case) pair in its own child process, unroll's
 * backends first, and prints a table (and JSON lines). With `--browser` the
 * pairs are unroll's browser backends, each in its own page of headless
 * Chromium (browser-bench.ts). With `--baseline REF`
 * or `--baseline-dir PATH` it compares two builds instead (compare-run.ts).
 * See ../README.md.
 */
import { cpus, totalmem } from "node:os";
import { parseBenchArgs, USAGE, type BenchArgs } from "./args.js";
import { runChecks } from "./check.js";
import { toRecord, type BenchRecord } from "./record.js";
import { runComparison } from "./compare-run.js";
import type { BrowserResult } from "./page-protocol.js";
import type { ChildJob, ChildResult } from "./protocol.js";
import { runChild, timingJob } from "./run-child.js";
import { browserSystems, REFERENCE, selectSystems } from "./systems.js";
import { browserNotes, caseName, formatLegend, formatTable, systemName } from "./table.js";
import { selectWorkloads, workloadById } from "./workloads.js";
import { formatWeightsFiles, runWeightsFiles } from "./run-weights-files.js";
import { WEIGHTS_FILE_CASE } from "./weights-files.js";

async function main(args: BenchArgs): Promise<number> {
  // with --json, stdout carries only JSON lines
  const say = (line: string): void => void (args.json ? process.stderr : process.stdout).write(`${line}\n`);
  if (args.baseline !== undefined || args.baselineDir !== undefined) return runComparison(args, say);
  if (args.browser && args.only?.includes(WEIGHTS_FILE_CASE))
    throw new Error(`--browser: ${WEIGHTS_FILE_CASE} times the CLI's weights files, in Node; run it without --browser`);
  // F1 (weights files) is not a (system, workload) pair: it runs after them, when selected
  const workloadNames = args.only?.filter((name) => name !== WEIGHTS_FILE_CASE);
  const weightsFiles = !args.browser && (!args.only || args.only.includes(WEIGHTS_FILE_CASE));
  const cases = workloadNames?.length === 0 ? [] : selectWorkloads(workloadNames).map((w) => workloadById(w.id, args.quick));
  const systems = selectSystems(args.systems, args.quick, args.browser ? browserSystems : undefined);
  say(
    `unroll bench: ${args.quick ? "quick" : "full"} run, ${args.warmup} warm-up + ${args.repeats} timed steps per pair, peers capped at ${args.budgetMs / 1000} s/step`,
  );
  say(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  // playwright-core and Vite load only for --browser
  const browser = args.browser
    ? await (await import("./browser-bench.js")).openBrowserBench(args.chromium === undefined ? {} : { executablePath: args.chromium })
    : undefined;
  try {
    if (browser) say(`${browser.browser}, headless (playwright-core), a fresh page per pair, cross-origin isolated; TF.js and F1 are not run in the browser`);
    say(`cases: ${[...cases.map((w) => w.id), ...(weightsFiles ? [WEIGHTS_FILE_CASE] : [])].join(", ")}; systems: ${systems.map((s) => s.label).join(", ")}`);
    // each pair in its own process, or in its own page of the browser
    const run = (job: ChildJob): Promise<ChildResult | BrowserResult> => (browser ? browser.run(job) : runChild(job));

    if (args.check) {
      say("");
      say("checked mode: same weights and data, one step per system");
      if (!(await runChecks(cases, systems, args.quick, args.budgetMs, say, run))) {
        say("check FAILED (✗ above): not timing");
        return 1;
      }
      say("check passed: every system computes unroll's loss and gradient norm at the same weights");
    }

    say("");
    const records: BenchRecord[] = [];
    let errors = 0;
    for (const w of cases) {
      let reference: BenchRecord | undefined;
      for (const s of systems) {
        const started = performance.now();
        const result = await run(timingJob(args, w, s));
        const record = toRecord(w, s, result, args.quick, reference);
        if (s.label === REFERENCE) reference = record;
        if (record.status === "error") errors++;
        records.push(record);
        if (args.json) process.stdout.write(`${JSON.stringify(record)}\n`);
        const took = ((performance.now() - started) / 1000).toFixed(1);
        const what = record.median_ms === null ? `${record.status}: ${record.reason}` : `${record.median_ms.toFixed(1)} ms/step`;
        process.stderr.write(`  ${caseName(record)} ${systemName(record)}: ${what} (${took} s)\n`);
      }
    }

    if (cases.length > 0) {
      say("");
      say(formatLegend(cases));
      say("");
      say(formatTable(records));
      say("");
      say(`ms/step: median over timed steps (one sequence each); ms/window: per window (one SGD update); ms/seq step: ms/step over T`);
      say(`GFLOP/s: model matmul FLOPs (2·M·N·K forward, twice that backward; not RTRL sensitivity products) over the median step`);
      if (browser) for (const line of browserNotes(records)) say(line);
      else say(`× unroll/cpu: time over unroll/cpu's in this run (> 1 is slower); peak RSS: each pair's own process`);
    }
    if (weightsFiles) {
      const started = performance.now();
      const files = runWeightsFiles(args.quick);
      process.stderr.write(`  ${WEIGHTS_FILE_CASE} json, safetensors (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
      if (args.json) for (const r of files) process.stdout.write(`${JSON.stringify(r)}\n`);
      say("");
      for (const line of formatWeightsFiles(files)) say(line);
      errors += files.filter((r) => r.status !== "ok").length;
    }
    if (errors) say(`${errors} pair(s) failed`);
    return errors ? 1 : 0;
  } finally {
    await browser?.close();
  }
}

let args: BenchArgs | undefined;
try {
  args = parseBenchArgs(process.argv.slice(2));
} catch (e) {
  console.error(`${(e as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (!args) {
  console.log(USAGE);
  process.exit(0);
}
try {
  process.exitCode = await main(args);
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 2;
}
