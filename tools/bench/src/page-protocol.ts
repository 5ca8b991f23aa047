/**
 * The contract between the browser page (`--browser`, ../page/main.ts) and
 * the Node side that drives it (browser-bench.ts): the page sets
 * {@link PAGE_API} on `window`, and Node calls it once per fresh page, as it
 * starts one child process per pair.
 */
import type { WebGpuAdapterInfo } from "@unroll/backend-webgpu";
import type { ChildJob, ChildNotRun, StepTimings } from "./protocol.js";
import type { UnrollGradients } from "./unroll-runner.js";

/** The name of the page's {@link BenchPage} on `window`. */
export const PAGE_API = "unrollBench";

/** The name of the function Node exposes to the page: it takes the first step's ms (the watchdog's cue, as a child's `first-step` line). */
export const FIRST_STEP_HOOK = "unrollBenchFirstStep";

/**
 * The page's memory: `performance.measureUserAgentSpecificMemory()`, i.e. the
 * JS heaps, array buffers and DOM of the page and its workers; GPU buffers are
 * not counted. Null where the page cannot measure it (it needs cross-origin
 * isolation).
 */
export interface PageMemory {
  /** After the timed steps, before the runner is disposed, MB: what the pair holds, not a peak. */
  readonly pageMemoryMb: number | null;
  /** After the page's imports, before the workload was set up, MB. */
  readonly basePageMemoryMb: number | null;
}

/** Measurements of a pair that ran in the page. */
export type PageMeasurement = StepTimings & PageMemory;

/** The page's report of one pair, with the WebGPU adapter it ran on (null on the other backends, or when none opened). */
export type PageResult = (PageMeasurement | ChildNotRun) & { readonly adapter: WebGpuAdapterInfo | null };

/** A pair's result as the Node side hands it on: the page's, and the browser it ran in. */
export type BrowserResult = PageResult & {
  /** e.g. `"chromium 156.0.8078.114"`. */
  readonly browser: string;
};

/** What {@link BenchPage.gradients} computes: one case on one system, at the seeded weights. */
export interface GradientsJob {
  /** System label among the browser's, e.g. `"unroll/webgpu"`. */
  readonly system: string;
  /** Workload case id, e.g. `"W1"`. */
  readonly case: string;
  /** Use the case's `--quick` sizes. */
  readonly quick: boolean;
}

/** The loss and parameter gradients of a {@link GradientsJob}, and the adapter they were computed on. */
export type PageGradients = UnrollGradients & { readonly adapter: WebGpuAdapterInfo | null };

/** What the page offers on `window[PAGE_API]`. */
export interface BenchPage {
  /** Measures one pair as child.ts does in a process (calling {@link FIRST_STEP_HOOK} when the first step ends). */
  run(job: ChildJob): Promise<PageResult>;
  /** The loss and every parameter's gradient of one case on one system, before any update. */
  gradients(job: GradientsJob): Promise<PageGradients>;
}
