import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { ChildEvent, ChildJob, ChildResult } from "./protocol.js";
import { systemByLabel } from "./systems.js";
import { workloadById } from "./workloads.js";

const childScript = fileURLToPath(new URL("./child.ts", import.meta.url));

/** Time for a child to start, import its system and set up the workload before its first step ends. */
const STARTUP_MS = 20_000;

/**
 * Runs one pair in a fresh `node` process (same flags as this one, so it loads
 * TypeScript sources through tsx) and returns its result. A watchdog kills a
 * child whose first step has not ended within the startup allowance plus the
 * budget, or whose timed steps run far longer than the first step predicts,
 * and reports it "skipped". A system that cannot run the case starts no process.
 */
export function runChild(job: ChildJob): Promise<ChildResult> {
  const unsupported = systemByLabel(job.system).unsupported?.(workloadById(job.case, job.quick));
  if (unsupported) return Promise.resolve({ status: "n/a", reason: unsupported });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, childScript, JSON.stringify(job)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let result: ChildResult | undefined;
    let killedFor: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    const watch = (ms: number, reason: string): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        killedFor = reason;
        child.kill("SIGKILL");
      }, Math.min(ms, 2 ** 31 - 1));
    };
    watch(STARTUP_MS + job.budgetMs, `> budget (no step done in ${((STARTUP_MS + job.budgetMs) / 1000).toFixed(0)} s)`);
    createInterface({ input: child.stdout }).on("line", (line) => {
      let e: ChildEvent;
      try {
        e = JSON.parse(line) as ChildEvent;
      } catch {
        process.stderr.write(`  [${job.system} ${job.case}] ${line}\n`);
        return;
      }
      if (e.event === "first-step") {
        const allowed = 30_000 + 3 * (e.ms * (job.warmup + job.repeats) + job.warmupMs + job.minTimeMs);
        watch(allowed, `> budget (still running after ${(allowed / 1000).toFixed(0)} s)`);
      } else {
        const { event: _, ...rest } = e;
        result = rest as ChildResult;
      }
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else if (killedFor) resolve({ status: "skipped", reason: killedFor });
      else resolve({ status: "error", reason: `the child exited with ${signal ?? `code ${code}`} and no result` });
    });
  });
}
