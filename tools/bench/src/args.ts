import { parseArgs } from "node:util";

/** The command line of `npm run bench`. */
export interface BenchArgs {
  /** Short run: few steps, W5 and W6 shrunk, a tight budget for peers. */
  readonly quick: boolean;
  /** One JSON line per pair on stdout; the table and progress go to stderr. */
  readonly json: boolean;
  /** First assert that every system computes unroll's loss (and gradient norm) at the same weights. */
  readonly check: boolean;
  /** Workloads or case ids to run (`W1,W4`, `W3-lstm`); all when absent. */
  readonly only?: readonly string[];
  /** Systems to run besides unroll/cpu (`unroll`, `tfjs-wasm`, `unroll/workers×2`); all when absent. */
  readonly systems?: readonly string[];
  /** Untimed steps per pair. */
  readonly warmup: number;
  /** Timed steps per pair (at least 10 outside `--quick`). */
  readonly repeats: number;
  /** Warm up for at least this long, ms. */
  readonly warmupMs: number;
  /** Time steps for at least this long, ms (fast cases then run more than `repeats`). */
  readonly minTimeMs: number;
  /** A peer whose first step takes longer is skipped, ms. */
  readonly budgetMs: number;
}

/** Usage text for `--help`. */
export const USAGE = `usage: npm run bench -- [options]
  --quick              short run (3 timed steps, W5/W6 shrunk, peers capped at 5 s/step)
  --json               one JSON line per (system, workload) on stdout; table on stderr
  --check              first assert equal losses (rel 1e-4) and gradient norms (rel 1e-3)
  --only W1,W4         workloads or cases (W3-rnn, W6-full, ...)
  --systems LIST       extra systems besides unroll/cpu: unroll, unroll/workers×2, tfjs-cpu, tfjs-wasm
  --repeats N          timed steps per pair, and more until 3 s (quick 0.2 s) have passed (default 10, quick 3)
  --warmup N           untimed steps per pair, and more until 1 s (quick 0.1 s) have passed (default 2, quick 1)
  --budget S           skip a peer whose first step takes more than S seconds (default 20, quick 5)`;

const list = (v: string | undefined): string[] | undefined => v?.split(",").map((s) => s.trim()).filter(Boolean);

function positiveInt(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`--${name} must be a non-negative integer, got "${v}"`);
  return n;
}

/** Parses the command line; throws on unknown options or bad values. Returns undefined for `--help`. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      check: { type: "boolean", default: false },
      only: { type: "string" },
      systems: { type: "string" },
      repeats: { type: "string" },
      warmup: { type: "string" },
      budget: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const quick = values.quick;
  const budget = values.budget === undefined ? (quick ? 5 : 20) : Number(values.budget);
  if (!(budget > 0)) throw new Error(`--budget must be a positive number of seconds, got "${values.budget}"`);
  return {
    quick,
    json: values.json,
    check: values.check,
    only: list(values.only),
    systems: list(values.systems),
    warmup: Math.max(1, positiveInt("warmup", values.warmup, quick ? 1 : 2)),
    repeats: Math.max(1, positiveInt("repeats", values.repeats, quick ? 3 : 10)),
    warmupMs: quick ? 100 : 1000,
    minTimeMs: quick ? 200 : 3000,
    budgetMs: budget * 1000,
  };
}
