/**
 * Runs one (system, workload case) pair in a fresh process, so that its peak
 * RSS is its own, and prints JSON lines on stdout: `first-step` as soon as the
 * first step ends (the parent's budget watchdog), then the `result`.
 *
 * Usage: node --conditions=source --import tsx child.ts '<ChildJob as JSON>'
 */
import { makeProblem, type Problem } from "./data.js";
import { errorReason, notSupported, startBackend, timeSteps, unrollRunner } from "./measure-pair.js";
import type { ChildEvent, ChildJob, ChildResult } from "./protocol.js";
import type { Runner } from "./runner.js";
import { peakRssMb } from "./stats.js";
import { systemByLabel } from "./systems.js";
import { workloadById, type Workload } from "./workloads.js";

function emit(e: ChildEvent): void {
  process.stdout.write(`${JSON.stringify(e)}\n`);
}

async function createRunner(job: ChildJob, w: Workload, problem: Problem): Promise<Runner | ChildResult> {
  const entry = systemByLabel(job.system);
  if (entry.unroll) {
    const backend = await startBackend(entry.unroll);
    // each child loads only its own system, so unroll's rows carry no TF.js in their RSS
    return "status" in backend ? backend : unrollRunner(backend, w, problem);
  }
  const { createTfjsRunner } = await import("./tfjs-runner.js");
  return notSupported(() => createTfjsRunner(entry.backend as "cpu" | "wasm", w, problem, { gradNorm: job.gradNorm }));
}

async function measure(job: ChildJob): Promise<ChildResult> {
  const baseRssMb = process.memoryUsage().rss / 2 ** 20;
  const w = workloadById(job.case, job.quick);
  const problem = makeProblem(w);
  const runner = await createRunner(job, w, problem);
  if (!("step" in runner)) return runner;
  try {
    const timed = await timeSteps(runner, job, (ms) => emit({ event: "first-step", ms }));
    return timed.status === "ok" ? { ...timed, peakRssMb: peakRssMb(), baseRssMb } : timed;
  } finally {
    await runner.dispose();
  }
}

const job = JSON.parse(process.argv[2] ?? "null") as ChildJob | null;
if (!job) {
  console.error("usage: child.ts '<job as JSON>' (started by main.ts)");
  process.exit(2);
}
try {
  emit({ event: "result", ...(await measure(job)) });
} catch (e) {
  emit({ event: "result", status: "error", reason: errorReason(e) });
}
// worker threads and TF.js may keep handles open; the result is out
process.exit(0);
