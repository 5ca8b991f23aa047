import type { WebGpuAdapterInfo } from "@unroll/backend-webgpu";
import { isSoftwareAdapter } from "@unroll/backend-webgpu";
import { stepFlops } from "./flops.js";
import type { BrowserResult } from "./page-protocol.js";
import type { ChildResult } from "./protocol.js";
import { gflops, median, range } from "./stats.js";
import type { SystemEntry } from "./systems.js";
import type { Workload } from "./workloads.js";

/** One output row: a (system, workload case) pair, as printed by `--json` (one line each). */
export interface BenchRecord {
  /** `"unroll"`, `"tfjs-cpu"` or `"tfjs-wasm"`. */
  readonly system: string;
  /** Backend name (unroll's, or TF.js's `cpu` / `wasm`). */
  readonly backend: string;
  /** Workers of the unroll backend, null when it has none. */
  readonly workers: number | null;
  /** `"W1"`…`"W7"`. */
  readonly workload: string;
  /** The case within the workload (`"rnn"`, `"lstm"`, `"trunc64"`, `"full"`, `"ckpt64"`, `"rtrl-long"`…, or `""`). */
  readonly variant: string;
  /** `rnn` or `lstm`. */
  readonly cell: string;
  /** `train` or `infer`. */
  readonly mode: string;
  /** Sizes actually run (smaller under `--quick` for W1–W3, W5, W6 and W7). */
  readonly batch: number;
  readonly steps: number;
  readonly input: number;
  readonly hidden: number;
  readonly output: number;
  /** Truncation window, null for full BPTT. */
  readonly window: number | null;
  /** Time checkpointing interval, null when off. */
  readonly checkpoint_every: number | null;
  /** How gradients are computed when training: `"bptt"` or `"rtrl"`; null for inference. */
  readonly method: string | null;
  /** RTRL's update interval in steps, null for one update per sequence (and for BPTT, see `window`). */
  readonly update_every: number | null;
  /** True under `--quick`. */
  readonly quick: boolean;
  /** `ok`, or why there is no measurement: `skipped`, `n/a`, `unavailable`, `error`. */
  readonly status: string;
  /** The reason, when not ok. */
  readonly reason: string | null;
  /** Median ms per step (per sequence, for truncated BPTT). */
  readonly median_ms: number | null;
  /** Fastest and slowest timed step. */
  readonly min_ms: number | null;
  readonly max_ms: number | null;
  /** Number of timed steps. */
  readonly repeats: number;
  /** Median ms per window (one optimizer step): truncated BPTT, and RTRL updating every few steps. */
  readonly window_median_ms: number | null;
  /** median_ms over the steps T of the sequence: what compares cases of different lengths and methods (W7). */
  readonly seq_step_ms: number | null;
  /** Model matmul FLOPs per step / median time. */
  readonly gflops: number | null;
  /** Peak RSS of the pair's own process, MB (null in the browser: a page cannot measure it). */
  readonly peak_rss_mb: number | null;
  /** RSS after imports, before the workload was set up, MB. */
  readonly base_rss_mb: number | null;
  /** `--browser` rows only: the browser, e.g. `"chromium 156.0.8078.114"`. */
  readonly browser?: string;
  /** `--browser` rows only: the WebGPU adapter the pair ran on; null on the other backends. */
  readonly adapter?: WebGpuAdapterInfo | null;
  /** `--browser` rows only: true when that adapter is a software one (its times say nothing about GPUs); null without one. */
  readonly software_adapter?: boolean | null;
  /** `--browser` rows only: the page's memory after the timed steps (JS heaps and array buffers of the page and its workers; not GPU buffers, not a peak), MB. */
  readonly page_memory_mb?: number | null;
  /** `--browser` rows only: the page's memory after its imports, before the workload was set up, MB. */
  readonly base_page_memory_mb?: number | null;
  /** median_ms / unroll-cpu's median_ms on the same case (> 1: slower than unroll on cpu). */
  readonly ratio_to_unroll_cpu: number | null;
  /** Loss at the seeded weights (first window of the first step). */
  readonly loss: number | null;
}

/** The fields of a `--browser` row: where it ran and the page's memory. */
function browserFields(r: BrowserResult): Partial<BenchRecord> {
  const ok = r.status === "ok" ? r : undefined;
  return {
    browser: r.browser,
    adapter: r.adapter,
    software_adapter: r.adapter ? isSoftwareAdapter(r.adapter) : null,
    page_memory_mb: ok?.pageMemoryMb ?? null,
    base_page_memory_mb: ok?.basePageMemoryMb ?? null,
  };
}

/**
 * The row of one pair, measured in a child process or in the browser page;
 * `reference` is unroll-cpu's row of the same case, for the ratio (absent for
 * that row itself).
 */
export function toRecord(w: Workload, s: SystemEntry, r: ChildResult | BrowserResult, quick: boolean, reference?: BenchRecord): BenchRecord {
  const ok = r.status === "ok" ? r : undefined;
  const rss = ok && "peakRssMb" in ok ? ok : undefined;
  const med = ok && ok.timesMs.length ? median(ok.timesMs) : null;
  const spread = ok && ok.timesMs.length ? range(ok.timesMs) : undefined;
  return {
    system: s.system,
    backend: s.backend,
    workers: s.workers ?? null,
    workload: w.workload,
    variant: w.variant,
    cell: w.cell,
    mode: w.mode,
    batch: w.batch,
    steps: w.steps,
    input: w.input,
    hidden: w.hidden,
    output: w.output,
    window: w.window ?? null,
    checkpoint_every: w.checkpointEvery ?? null,
    method: w.mode === "train" ? (w.method ?? "bptt") : null,
    update_every: w.updateEvery ?? null,
    quick,
    status: r.status,
    reason: ok ? null : (r as { reason: string }).reason,
    median_ms: med,
    min_ms: spread?.min ?? null,
    max_ms: spread?.max ?? null,
    repeats: ok?.timesMs.length ?? 0,
    window_median_ms: ok && ok.windowMs.length ? median(ok.windowMs) : null,
    seq_step_ms: med === null ? null : med / w.steps,
    gflops: med === null ? null : gflops(stepFlops(w), med),
    peak_rss_mb: rss?.peakRssMb ?? null,
    base_rss_mb: rss?.baseRssMb ?? null,
    ratio_to_unroll_cpu: med === null ? null : reference ? (reference.median_ms ? med / reference.median_ms : null) : 1,
    loss: ok?.loss ?? null,
    ...("browser" in r ? browserFields(r) : {}),
  };
}
