import type { ChildJob } from "./protocol.js";

/** Time for a pair to start, import its system and set up the workload before its first step ends. */
const STARTUP_MS = 20_000;

/** A running pair's watchdog: told when the first step ends, cleared when the pair ends. */
export interface PairWatchdog {
  /** The first step took `ms`: the rest may take three times what its steps should, and 30 s. */
  firstStep(ms: number): void;
  /** The pair ended: no stop. */
  clear(): void;
}

/**
 * Watches one pair, in a child process or in the browser page: `stop` is
 * called (once) with the reason it is reported "skipped" when no step has
 * ended within the start-up allowance plus the job's budget, or when, after
 * the first step, the pair runs far longer than that step predicts.
 */
export function watchPair(job: ChildJob, stop: (reason: string) => void): PairWatchdog {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watch = (ms: number, reason: string): void => {
    clearTimeout(timer);
    timer = setTimeout(() => stop(reason), Math.min(ms, 2 ** 31 - 1));
  };
  const startup = STARTUP_MS + job.budgetMs;
  watch(startup, `> budget (no step done in ${(startup / 1000).toFixed(0)} s)`);
  return {
    firstStep(ms) {
      const allowed = 30_000 + 3 * (ms * (job.warmup + job.repeats) + job.warmupMs + job.minTimeMs);
      watch(allowed, `> budget (still running after ${(allowed / 1000).toFixed(0)} s)`);
    },
    clear: () => clearTimeout(timer),
  };
}
