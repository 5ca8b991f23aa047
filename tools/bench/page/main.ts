// The page of `npm run bench -- --browser`: the bench's own workloads, data,
// runners and step timing (../src, shared with the Node child process), run
// on unroll's browser backends. Node opens a fresh page per pair and calls
// `window.unrollBench` (see ../src/page-protocol.ts and ../src/browser-bench.ts).
import type { Backend } from "@unroll/bptt";
import type { WebGpuAdapterInfo, WebGpuBackend } from "@unroll/backend-webgpu";
import { unrollLabel } from "../src/backend-entry.js";
import { browserBackendByLabel, browserBackends } from "../src/browser-backends.js";
import { makeProblem } from "../src/data.js";
import { errorReason, startBackend, timeSteps, unrollRunner } from "../src/measure-pair.js";
import { FIRST_STEP_HOOK, PAGE_API, type BenchPage, type GradientsJob, type PageGradients, type PageResult } from "../src/page-protocol.js";
import type { ChildJob, ChildNotRun } from "../src/protocol.js";
import { unrollGradients } from "../src/unroll-runner.js";
import { workloadById } from "../src/workloads.js";

/** Chromium's memory measurement (not in TypeScript's DOM library yet). */
interface MemoryMeasuring {
  measureUserAgentSpecificMemory?(): Promise<{ readonly bytes: number }>;
}

declare global {
  interface Window {
    [PAGE_API]?: BenchPage;
    [FIRST_STEP_HOOK]?: (ms: number) => Promise<void>;
  }
}

const status = document.getElementById("status")!;

/**
 * The page's memory in MB, or null where it cannot be measured: the API needs
 * a cross-origin-isolated page (the bench's server sends COOP and COEP).
 */
async function pageMemoryMb(): Promise<number | null> {
  const measuring = performance as Performance & MemoryMeasuring;
  if (!crossOriginIsolated || !measuring.measureUserAgentSpecificMemory) return null;
  return (await measuring.measureUserAgentSpecificMemory()).bytes / 2 ** 20;
}

const isWebGpu = (b: Backend): b is WebGpuBackend => b.name === "webgpu";

/** The backend of a browser system, started, with its adapter when it is WebGPU. */
async function start(system: string): Promise<{ backend: Backend; adapter: WebGpuAdapterInfo | null } | ChildNotRun> {
  const backend = await startBackend(browserBackendByLabel(system));
  if ("status" in backend) return backend;
  return { backend, adapter: isWebGpu(backend) ? await backend.adapter() : null };
}

async function run(job: ChildJob): Promise<PageResult> {
  status.textContent = `running ${job.case} on ${job.system}…`;
  let adapter: WebGpuAdapterInfo | null = null;
  try {
    const basePageMemoryMb = await pageMemoryMb();
    const w = workloadById(job.case, job.quick);
    const problem = makeProblem(w);
    const started = await start(job.system);
    if ("status" in started) return { ...started, adapter };
    adapter = started.adapter;
    const runner = await unrollRunner(started.backend, w, problem);
    if (!("step" in runner)) return { ...runner, adapter };
    try {
      const timed = await timeSteps(runner, job, (ms) => void window[FIRST_STEP_HOOK]?.(ms));
      if (timed.status !== "ok") return { ...timed, adapter };
      // not with a backend whose workers never return to their event loops: the measurement waits for them
      const measure = browserBackendByLabel(job.system).pageMemory !== false;
      return { ...timed, pageMemoryMb: measure ? await pageMemoryMb() : null, basePageMemoryMb, adapter };
    } finally {
      await runner.dispose();
    }
  } catch (e) {
    return { status: "error", reason: errorReason(e), adapter };
  } finally {
    status.textContent = `done: ${job.case} on ${job.system}`;
  }
}

async function gradients(job: GradientsJob): Promise<PageGradients> {
  const started = await start(job.system);
  if ("status" in started) throw new Error(`${job.system} ${started.status}: ${started.reason}`);
  const w = workloadById(job.case, job.quick);
  return { ...(await unrollGradients(started.backend, w, makeProblem(w))), adapter: started.adapter };
}

window[PAGE_API] = { run, gradients };
status.textContent = `ready: ${browserBackends.map(unrollLabel).join(", ")}${crossOriginIsolated ? " (cross-origin isolated)" : ""}`;
