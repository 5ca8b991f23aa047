import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { BenchArgs } from "./args.js";
import { CHILD_NODE_FLAGS, CHILD_SCRIPT, type ChildEvent, type ChildJob, type ChildResult } from "./protocol.js";
import { systemByLabel, type SystemEntry } from "./systems.js";
import { watchPair } from "./watchdog.js";
import { workloadById, type Workload } from "./workloads.js";

/**
 * A checkout of unroll whose own harness measures pairs: the child is its
 * `tools/bench/src/child.ts`, started from its root, so that its workspace
 * packages (and tsx) resolve to its own files.
 */
export interface Build {
  /** `"current"` (this tree) or `"baseline"`; prefixes the child's stray output. */
  readonly name: string;
  /** The checkout's root directory: the child's working directory. */
  readonly root: string;
}

/** This tree: the checkout that this file belongs to. */
export const CURRENT_BUILD: Build = { name: "current", root: fileURLToPath(new URL("../../..", import.meta.url)).replace(/[\\/]+$/, "") };

/** Time allowed for one unroll step: unroll is what we measure, so only a runaway is stopped. */
const UNROLL_BUDGET_MS = 600_000;

/** The job that times one pair as the command line asks (peers capped by the budget, unroll only against runaways). */
export function timingJob(args: BenchArgs, w: Workload, s: SystemEntry): ChildJob {
  return {
    system: s.label,
    case: w.id,
    quick: args.quick,
    warmup: args.warmup,
    warmupMs: args.warmupMs,
    repeats: args.repeats,
    minTimeMs: args.minTimeMs,
    budgetMs: s.peer ? args.budgetMs : UNROLL_BUDGET_MS,
    gradNorm: false,
  };
}

// children still running, so that an interrupted parent can end them rather than orphan them
const live = new Set<ChildProcess>();

/** Kills every child process still running (the parent was interrupted). */
export function killChildren(): void {
  for (const child of live) child.kill("SIGKILL");
}

/**
 * Runs one pair in a fresh `node` process (loading TypeScript sources through
 * tsx, whatever runs this parent: `npm run bench` or a test) and returns its result. The process runs
 * `build`'s own child script from `build`'s root, so a baseline checkout is
 * measured by its own harness and engine. A watchdog kills a child whose first
 * step has not ended within the startup allowance plus the budget, or whose
 * timed steps run far longer than the first step predicts, and reports it
 * "skipped". A system that cannot run the case starts no process.
 */
export function runChild(job: ChildJob, build: Build = CURRENT_BUILD): Promise<ChildResult> {
  const unsupported = systemByLabel(job.system).unsupported?.(workloadById(job.case, job.quick));
  if (unsupported) return Promise.resolve({ status: "n/a", reason: unsupported });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CHILD_NODE_FLAGS, join(build.root, CHILD_SCRIPT), JSON.stringify(job)], {
      cwd: build.root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    live.add(child);
    let result: ChildResult | undefined;
    let killedFor: string | undefined;
    const watchdog = watchPair(job, (reason) => {
      killedFor = reason;
      child.kill("SIGKILL");
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let e: ChildEvent;
      try {
        e = JSON.parse(line) as ChildEvent;
      } catch {
        const who = build === CURRENT_BUILD ? "" : `${build.name} `;
        process.stderr.write(`  [${who}${job.system} ${job.case}] ${line}\n`);
        return;
      }
      if (e.event === "first-step") {
        watchdog.firstStep(e.ms);
      } else if (e.event === "result") {
        const { event: _, ...rest } = e;
        result = rest as ChildResult;
      }
    });
    const settle = (why: string): void => {
      live.delete(child);
      watchdog.clear();
      if (result) resolve(result);
      else if (killedFor) resolve({ status: "skipped", reason: killedFor });
      else resolve({ status: "error", reason: why });
    };
    child.on("error", (e) => settle(`cannot start the child: ${e.message}`));
    child.on("close", (code, signal) => settle(`the child exited with ${signal ?? `code ${code}`} and no result`));
  });
}
