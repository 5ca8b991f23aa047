import type fc from "fast-check";

/** The seed of the quick run in `npm test`: fixed, so the run is the same every time. */
export const QUICK_SEED = 20261204;

/** What one fuzz run does: how many cases, from which seed, and how long a case or a whole property may take. */
export interface FuzzSettings {
  /** fast-check's parameters for one property: `numRuns` and `seed`. */
  readonly parameters: Pick<fc.Parameters<unknown>, "numRuns" | "seed">;
  /** Longest one case may take, in milliseconds, before it counts as a hang. */
  readonly caseTimeLimitMs: number;
  /** vitest's timeout of one property. */
  readonly testTimeoutMs: number;
}

/**
 * The settings of a property run `quickRuns` times in `npm test`. Under
 * `npm run fuzz` (FUZZ_LONG=1) it runs FUZZ_RUNS times (default 100 × quickRuns)
 * from a random seed, or FUZZ_SEED to replay a failure; the seed is printed.
 */
export function fuzzSettings(quickRuns: number, env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  const long = env.FUZZ_LONG === "1";
  const seed = env.FUZZ_SEED !== undefined ? Number(env.FUZZ_SEED) : long ? Math.floor(Math.random() * 2 ** 31) : QUICK_SEED;
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got "${env.FUZZ_SEED}"`);
  const numRuns = env.FUZZ_RUNS !== undefined ? Number(env.FUZZ_RUNS) : long ? 100 * quickRuns : quickRuns;
  if (!(Number.isSafeInteger(numRuns) && numRuns >= 1)) throw new Error(`FUZZ_RUNS must be a positive integer, got "${env.FUZZ_RUNS}"`);
  if (long) console.log(`fuzz: ${numRuns} runs, seed ${seed} (replay with FUZZ_SEED=${seed})`);
  return {
    parameters: { numRuns, seed },
    // a loaded 2-core machine runs a case that takes 5 ms alone in well under a second
    caseTimeLimitMs: 3_000,
    testTimeoutMs: long ? 24 * 3600_000 : 60_000,
  };
}
