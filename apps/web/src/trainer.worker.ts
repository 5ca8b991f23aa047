// The trainer worker: owns the model and runs the training loop, so the page
// never waits on it. It trains on the CPU backend in this thread, on the
// WebAssembly backend (this thread and Web Workers it starts on the same shared
// memory), on a pool of Web Workers it starts or on WebGPU (navigator.gpu
// exists in workers), and posts progress, samples and the end of the run.
import type { WasmBackend } from "@unroll/backend-wasm";
import type { WebGpuBackend } from "@unroll/backend-webgpu";
// the registry's browser entry: its pool starts Web Workers, with no Node code for the bundler
import { backends } from "@unroll/backends/web";
import type { Backend } from "@unroll/bptt";
import type { FromTrainer, ToTrainer } from "./protocol.js";
import type { TrainSettings } from "./settings.js";
import { StopFlag } from "./stop-flag.js";
import { trainUntilStopped } from "./train-loop.js";

/** This worker's global scope, as far as it is used (the app's types come from the DOM lib). */
const scope = self as unknown as {
  postMessage(message: FromTrainer): void;
  addEventListener(type: "message", listener: (e: MessageEvent<ToTrainer>) => void): void;
};
const post = (message: FromTrainer): void => scope.postMessage(message);

let stop = new StopFlag();
let temperature = 0;
let started = false;

/** The pool's log lines worth showing: how it shares memory, and workers that died; not the per-window split. */
const NOTABLE = /^(pool of|SharedArrayBuffer|worker \d)/;

/** The registry hands out plain backends; the one it names `webgpu` is a {@link WebGpuBackend}, which also tells its adapter. */
const isWebGpu = (backend: Backend): backend is WebGpuBackend => backend.name === "webgpu";
/** Likewise the one it names `wasm` is a {@link WasmBackend}, which says how many threads it runs on. */
const isWasm = (backend: Backend): backend is WasmBackend => backend.name === "wasm";

async function run(settings: TrainSettings, text: string): Promise<void> {
  const sampler = backends.create("cpu"); // T = 1, B = 1 steps: one thread beats any round trip
  let backend: Backend | undefined;
  try {
    // inside the try: a backend this worker cannot run (webgpu without navigator.gpu) is the run's error
    backend = backends.create(settings.backend, {
      workers: settings.workers,
      threads: settings.threads,
      log: (message) => void (NOTABLE.test(message) && post({ type: "log", message })),
    });
    // opens the device (the model then loads on it), so that the page shows the adapter before the first step
    if (isWebGpu(backend)) post({ type: "adapter", adapter: await backend.adapter() });
    // starts its threads (one where the page cannot share memory), so that the page shows how many before the first step
    if (isWasm(backend)) {
      const { threads, requested, reason } = await backend.threading();
      post({ type: "threading", threads, requested, ...(reason !== undefined ? { reason } : {}) });
    }
    const steps = await trainUntilStopped(text, settings, backend, sampler, {
      post,
      stopRequested: () => stop.raised,
      temperature: () => temperature,
    });
    post({ type: "stopped", step: steps });
  } catch (e) {
    post({ type: "error", message: e instanceof Error ? e.message : String(e) });
  } finally {
    await Promise.all([backend?.dispose(), sampler.dispose()]);
  }
}

scope.addEventListener("message", (e) => {
  const m = e.data;
  if (m.type === "start" && !started) {
    started = true; // one run per worker: the page starts a new worker for the next
    stop = new StopFlag(m.stop);
    temperature = m.settings.temperature;
    void run(m.settings, m.text);
  } else if (m.type === "stop") {
    stop.raise();
  } else if (m.type === "temperature") {
    temperature = m.value;
  }
});
