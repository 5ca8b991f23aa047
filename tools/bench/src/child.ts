/**
 * Runs one (system, workload case) pair in a fresh process, so that its peak
 * RSS is its own, and prints JSON lines on stdout: `first-step` as soon as the
 * first step ends (the parent's budget watchdog), then the `result`.
 *
 * Usage: node --conditions=source --import tsx child.ts '<ChildJob as JSON>'
 */
import type { Backend } from "@unroll/bptt";
import { makeProblem, type Problem } from "./data.js";
import type { ChildEvent, ChildJob, ChildResult } from "./protocol.js";
import { UnsupportedError, type Runner } from "./runner.js";
import { peakRssMb } from "./stats.js";
import { systemByLabel } from "./systems.js";
import { workloadById, type Workload } from "./workloads.js";

// a first step longer than this is warm-up enough by itself
const LONG_STEP_MS = 2000;
// cap on timed steps: plenty for a stable median of the tiniest case
const MAX_STEPS = 2000;

function emit(e: ChildEvent): void {
  process.stdout.write(`${JSON.stringify(e)}\n`);
}

async function createRunner(job: ChildJob, w: Workload, problem: Problem): Promise<Runner | ChildResult> {
  const entry = systemByLabel(job.system);
  if (entry.unroll) {
    let backend: Backend;
    try {
      backend = await entry.unroll.create();
    } catch (e) {
      return { status: "unavailable", reason: `cannot start: ${(e as Error).message.split("\n")[0]}` };
    }
    // each child loads only its own system, so unroll's rows carry no TF.js in their RSS
    const { createUnrollRunner } = await import("./unroll-runner.js");
    return notSupported(() => createUnrollRunner(backend, w, problem));
  }
  const { createTfjsRunner } = await import("./tfjs-runner.js");
  return notSupported(() => createTfjsRunner(entry.backend as "cpu" | "wasm", w, problem, { gradNorm: job.gradNorm }));
}

/** The runner, or "n/a" when the system has no counterpart for the case. */
async function notSupported(create: () => Promise<Runner>): Promise<Runner | ChildResult> {
  try {
    return await create();
  } catch (e) {
    if (e instanceof UnsupportedError) return { status: "n/a", reason: e.message };
    throw e;
  }
}

async function measure(job: ChildJob): Promise<ChildResult> {
  const baseRssMb = process.memoryUsage().rss / 2 ** 20;
  const w = workloadById(job.case, job.quick);
  const problem = makeProblem(w);
  const runner = await createRunner(job, w, problem);
  if (!("step" in runner)) return runner;
  try {
    let t0 = performance.now();
    const first = await runner.step();
    const firstStepMs = performance.now() - t0;
    emit({ event: "first-step", ms: firstStepMs });
    if (firstStepMs > job.budgetMs) return { status: "skipped", reason: `> budget (first step ${(firstStepMs / 1000).toFixed(1)} s)` };
    const warmupEnd = performance.now() - firstStepMs + job.warmupMs;
    for (let i = 1; firstStepMs <= LONG_STEP_MS && (i < job.warmup || performance.now() < warmupEnd); i++) await runner.step();
    const timesMs: number[] = [];
    const windowMs: number[] = [];
    const timedEnd = performance.now() + job.minTimeMs;
    for (let i = 0; job.repeats > 0 && i < MAX_STEPS && (i < job.repeats || performance.now() < timedEnd); i++) {
      t0 = performance.now();
      const r = await runner.step();
      timesMs.push(performance.now() - t0);
      windowMs.push(...(r.windowMs ?? []));
      if (!Number.isFinite(r.loss)) throw new Error(`the loss became ${r.loss} at timed step ${i}`);
    }
    return {
      status: "ok",
      timesMs,
      windowMs,
      loss: first.loss,
      ...(first.gradNorm === undefined ? {} : { gradNorm: first.gradNorm }),
      ...(first.lastGradNorm === undefined ? {} : { lastGradNorm: first.lastGradNorm }),
      firstStepMs,
      peakRssMb: peakRssMb(),
      baseRssMb,
    };
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
  // the message and where it was thrown, on one line
  const where =
    (e as Error).stack
      ?.split("\n")
      .find((l) => l.trim().startsWith("at "))
      ?.trim() ?? "";
  emit({ event: "result", status: "error", reason: `${(e as Error).message ?? String(e)} ${where}`.trim() });
}
// worker threads and TF.js may keep handles open; the result is out
process.exit(0);
