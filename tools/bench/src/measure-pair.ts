/**
 * Measuring one (system, workload case) pair, wherever it runs: in a child
 * process (child.ts) or in the browser page (`--browser`, ../page/main.ts).
 * Nothing here touches Node or the DOM; each caller adds its own memory
 * measurement and reporting.
 */
import type { Backend } from "@unroll/bptt";
import type { UnrollBackendEntry } from "./backend-entry.js";
import type { Problem } from "./data.js";
import type { ChildJob, ChildNotRun, StepTimings } from "./protocol.js";
import { UnsupportedError, type Runner } from "./runner.js";
import { createUnrollRunner } from "./unroll-runner.js";
import type { Workload } from "./workloads.js";

// a first step longer than this is warm-up enough by itself
const LONG_STEP_MS = 2000;
// cap on timed steps: plenty for a stable median of the tiniest case
const MAX_STEPS = 2000;

/**
 * Starts an unroll backend; one that cannot start here (a missing package, no
 * WebGPU) makes the pair "unavailable", not an error.
 */
export async function startBackend(entry: UnrollBackendEntry): Promise<Backend | ChildNotRun> {
  try {
    return await entry.create();
  } catch (e) {
    return { status: "unavailable", reason: `cannot start: ${(e as Error).message.split("\n")[0]}` };
  }
}

/** The runner, or "n/a" when the system has no counterpart for the case. */
export async function notSupported(create: () => Promise<Runner>): Promise<Runner | ChildNotRun> {
  try {
    return await create();
  } catch (e) {
    if (e instanceof UnsupportedError) return { status: "n/a", reason: e.message };
    throw e;
  }
}

/** unroll's runner on a started backend (which it then owns), or "n/a". */
export function unrollRunner(backend: Backend, w: Workload, problem: Problem): Promise<Runner | ChildNotRun> {
  return notSupported(() => createUnrollRunner(backend, w, problem));
}

/**
 * Times a runner as the job asks: a first step (its end is told to
 * `onFirstStep`, the parent's watchdog cue), "skipped" if that one is over the
 * budget, then warm-up steps, then the timed steps. The caller disposes the runner.
 */
export async function timeSteps(runner: Runner, job: ChildJob, onFirstStep: (ms: number) => void): Promise<StepTimings | ChildNotRun> {
  let t0 = performance.now();
  const first = await runner.step();
  const firstStepMs = performance.now() - t0;
  onFirstStep(firstStepMs);
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
  };
}

/** A failed pair's reason: the error's message and where it was thrown, on one line. */
export function errorReason(e: unknown): string {
  const where =
    (e as Error).stack
      ?.split("\n")
      .find((l) => l.trim().startsWith("at "))
      ?.trim() ?? "";
  return `${(e as Error).message ?? String(e)} ${where}`.trim();
}
