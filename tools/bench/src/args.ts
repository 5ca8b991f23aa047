import { parseArgs } from "node:util";

/**
 * How a `--baseline` checkout gets its `node_modules`: `link` mirrors this
 * checkout's external packages by symlink (valid only when both lock files are
 * identical), `ci` runs `npm ci` in it, `auto` links when it can and runs
 * `npm ci` otherwise.
 */
export type BaselineInstall = "auto" | "link" | "ci";

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
  /** Compare with this git commit-ish (`main`, a sha): extracted to a temporary directory, removed afterwards. */
  readonly baseline?: string;
  /** Compare with the already installed checkout in this directory (left as it is). */
  readonly baselineDir?: string;
  /** Run the browser backends (cpu, workers, webgpu) in headless Chromium instead of Node's systems. */
  readonly browser: boolean;
  /** The Chromium executable of `--browser`. */
  readonly chromium?: string;
  /** How a `--baseline` ref gets its dependencies. */
  readonly baselineInstall: BaselineInstall;
  /** Comparison mode: child processes per side for every pair, alternating sides, so that load drift hits both. */
  readonly rounds: number;
}

/** Usage text for `--help`. */
export const USAGE = `usage: npm run bench -- [options]
  --quick              short run (3 timed steps, W5/W6 shrunk, peers capped at 5 s/step)
  --json               one JSON line per (system, workload) on stdout; table on stderr
  --check              first assert equal losses (rel 1e-4) and gradient norms (rel 1e-3);
                       with a baseline, each system's on both builds (rel 1e-5 and 1e-4)
  --only W1,W4         workloads or cases (W3-rnn, W6-full, ...)
  --systems LIST       extra systems besides unroll/cpu: unroll, unroll/workers×2, tfjs-cpu, tfjs-wasm
  --repeats N          timed steps per pair, and more until 3 s (quick 0.2 s) have passed (default 10, quick 3)
  --warmup N           untimed steps per pair, and more until 1 s (quick 0.1 s) have passed (default 2, quick 1)
  --budget S           skip a peer whose first step takes more than S seconds (default 20, quick 5)
in the browser (headless Chromium, driven by playwright-core; no TF.js, no F1):
  --browser            run unroll/cpu, unroll/workers×2 and unroll/webgpu in a page instead of Node's systems
  --chromium PATH      the Chromium or Chrome executable (default /usr/bin/chromium)
comparing two builds (unroll systems only unless --systems names a peer):
  --baseline REF       also run git REF (main, HEAD~1, a sha) from a temporary copy, interleaved with this tree
  --baseline-dir PATH  ... or the installed checkout in PATH
  --baseline-install auto|link|ci
                       REF's node_modules: link this tree's external packages (lock files must match),
                       npm ci, or auto (link when the lock files match; default)
  --rounds N           processes per side per pair, sides alternating (default 3, quick 2)`;

const list = (v: string | undefined): string[] | undefined =>
  v
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);

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
      baseline: { type: "string" },
      "baseline-dir": { type: "string" },
      "baseline-install": { type: "string" },
      rounds: { type: "string" },
      browser: { type: "boolean", default: false },
      chromium: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const quick = values.quick;
  const budget = values.budget === undefined ? (quick ? 5 : 20) : Number(values.budget);
  if (!(budget > 0)) throw new Error(`--budget must be a positive number of seconds, got "${values.budget}"`);
  const baseline = values.baseline;
  const baselineDir = values["baseline-dir"];
  if (baseline !== undefined && baselineDir !== undefined) throw new Error("give --baseline or --baseline-dir, not both");
  const comparing = baseline !== undefined || baselineDir !== undefined;
  // options that only mean something when comparing are an error otherwise, not silently ignored
  for (const name of ["baseline-install", "rounds"] as const) {
    if (values[name] !== undefined && !comparing) throw new Error(`--${name} needs --baseline or --baseline-dir`);
  }
  if (values["baseline-install"] !== undefined && baselineDir !== undefined)
    throw new Error("--baseline-install is for --baseline; --baseline-dir must already be installed");
  const install = values["baseline-install"] ?? "auto";
  if (install !== "auto" && install !== "link" && install !== "ci") throw new Error(`--baseline-install must be auto, link or ci, got "${install}"`);
  if (baseline === "" || baselineDir === "") throw new Error("--baseline and --baseline-dir need a value");
  if (values.browser && comparing) throw new Error("--browser does not compare builds: give it without --baseline or --baseline-dir");
  if (values.chromium !== undefined && !values.browser) throw new Error("--chromium needs --browser");
  if (values.chromium === "") throw new Error("--chromium needs a path");
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
    ...(baseline === undefined ? {} : { baseline }),
    ...(baselineDir === undefined ? {} : { baselineDir }),
    browser: values.browser,
    ...(values.chromium === undefined ? {} : { chromium: values.chromium }),
    baselineInstall: install,
    rounds: Math.max(1, positiveInt("rounds", values.rounds, quick ? 2 : 3)),
  };
}
