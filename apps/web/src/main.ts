// The page: settings, Train/Stop, live numbers, loss chart, samples and the
// step graph. All training happens in a trainer worker (see trainer-client.ts).
import { navigatorGpu, type WebGpuAdapterInfo } from "@unroll/backend-webgpu";
import type { BackendName } from "@unroll/backends/web";
import { CharVocab, charModelSpec, CLIP_NORM, stepsBackChart, type CellKind } from "@unroll/demo-kit";
import { loadProgram } from "@unroll/ir";
import { stepGraphSvg } from "@unroll/viz";
import { adapterText } from "./adapter-text.js";
import { corpusSource, corpusText } from "./corpus.js";
import { LiveChart } from "./live-chart.js";
import { LossChart } from "./loss-chart.js";
import type { Progress } from "./protocol.js";
import { defaultSettings, type TrainSettings } from "./settings.js";
import { TrainerRun, type RunEnd } from "./trainer-client.js";
import "./style.css";

/** What the page exposes for tests and the console: every progress report it showed, in order. */
export interface PageRecord {
  readonly progress: Progress[];
  /** The data the gradient-flow chart draws now, `[steps back, ...norms by state]`. */
  readonly flowChartData: () => (number | null | undefined)[][] | undefined;
  /** How the last run ended, once it has. */
  end?: RunEnd;
  /** The adapter of the last run on WebGPU, once it has opened. */
  adapter?: WebGpuAdapterInfo;
  /** The threads of the last run on the WebAssembly backend, once it has started. */
  threading?: { readonly threads: number; readonly requested: number; readonly reason?: string };
}

declare global {
  interface Window {
    unrollWeb: PageRecord;
  }
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const form = $<HTMLFormElement>("settings");
const cell = $<HTMLSelectElement>("cell");
const hidden = $<HTMLSelectElement>("hidden");
const windowSize = $<HTMLSelectElement>("window");
const backend = $<HTMLSelectElement>("backend");
const workers = $<HTMLSelectElement>("workers");
const temperature = $<HTMLInputElement>("temperature");
const temperatureValue = $<HTMLOutputElement>("temperature-value");
const trainButton = $<HTMLButtonElement>("train");
const stopButton = $<HTMLButtonElement>("stop");
const status = $("status");
const stats = {
  step: $("stat-step"),
  loss: $("stat-loss"),
  steps: $("stat-steps"),
  tokens: $("stat-tokens"),
  epoch: $("stat-epoch"),
  params: $("stat-params"),
};
const runInfo = $("run-info");
const poolInfo = $("pool-info");
const adapterInfo = $("adapter-info");
const sample = $("sample");
const sampleInfo = $("sample-info");
const graph = $("graph");

const vocab = CharVocab.ofText(corpusText);
const chart = new LossChart($("chart"), vocab.size);
const flowChart = new LiveChart($("flow-chart"), 280);
flowChart.show(stepsBackChart({})); // axes only until the first step
const record: PageRecord = { progress: [], flowChartData: () => flowChart.data?.map((a) => Array.from(a)) };
window.unrollWeb = record;
let run: TrainerRun | undefined;
let latest: Progress | undefined;
let frame = 0;

$("corpus-info").textContent = `Text: ${corpusSource}, ${corpusText.length.toLocaleString("en")} characters, ${vocab.size} distinct.`;

function readSettings(): TrainSettings {
  return {
    ...defaultSettings,
    cell: cell.value as CellKind,
    hidden: Number(hidden.value),
    window: Number(windowSize.value),
    backend: backend.value as BackendName,
    workers: Number(workers.value),
    threads: navigator.hardwareConcurrency || 1,
    temperature: Number(temperature.value),
  };
}

/**
 * Offers WebGPU when the browser gives an adapter: `navigator.gpu` may exist
 * with none (Chromium on Linux without flags). The trainer worker, which opens
 * its own, sees the same `navigator.gpu`.
 */
async function offerWebGpu(): Promise<void> {
  const adapter = await navigatorGpu()
    ?.requestAdapter()
    .catch(() => null);
  if (adapter) backend.add(new Option("WebGPU, from the trainer worker", "webgpu"));
}

/** Draws the step graph of the chosen model and shows its parameter count. */
function showModel(): void {
  const s = readSettings();
  const program = loadProgram(charModelSpec(vocab.size, s));
  const checked = program.stages[0].checked;
  const g = checked.graph;
  const count = Object.values(program.params).reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0);
  stats.params.textContent = count.toLocaleString("en");
  const desc = `${s.cell.toUpperCase()} step graph with hidden size ${s.hidden}: ${checked.order.length} nodes; inputs ${g.xs.map((x) => x.id).join(", ")}; carries ${g.carry
    .map((c) => `${c.id} (updated by ${g.update[c.id]})`)
    .join(", ")}; loss ${g.loss ?? "none"}.`;
  graph.innerHTML = stepGraphSvg(program, {
    title: `Step graph of the ${s.cell.toUpperCase()} model`,
    description: desc,
    className: "graph-svg",
    idPrefix: "graph-svg",
  });
}

/** "wasm: 2 threads.", or "wasm: 1 thread of 4 asked for: <why>." */
function threadingText({ threads, requested, reason }: NonNullable<PageRecord["threading"]>): string {
  const count = `wasm: ${threads} thread${threads === 1 ? "" : "s"}`;
  return threads < requested ? `${count} of ${requested} asked for: ${reason ?? "no reason given"}.` : `${count}.`;
}

const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : "–");

/** Shows the latest numbers, at most once per frame. */
function render(): void {
  frame = 0;
  if (!latest) return;
  stats.step.textContent = String(latest.step);
  stats.loss.textContent = fixed(chart.smoothedLoss ?? latest.loss, 3);
  stats.steps.textContent = fixed(latest.stepsPerSecond, 1);
  stats.tokens.textContent = Math.round(latest.tokensPerSecond).toLocaleString("en");
  stats.epoch.textContent = String(latest.epoch + 1); // the pass in progress, from 1
}

function setRunning(running: boolean): void {
  for (const el of [cell, hidden, windowSize, backend, trainButton]) el.disabled = running;
  workers.disabled = running || backend.value !== "workers";
  stopButton.disabled = !running;
  // keep keyboard focus on a usable button when one is disabled under it
  if (running && document.activeElement === document.body) stopButton.focus();
  if (!running && (document.activeElement === stopButton || document.activeElement === document.body)) trainButton.focus();
}

function start(): void {
  if (run) return;
  const settings = readSettings();
  record.progress.length = 0;
  delete record.end;
  latest = undefined;
  chart.reset(vocab.size);
  for (const el of Object.values(stats)) if (el !== stats.params) el.textContent = "–";
  sample.textContent = "";
  runInfo.textContent = poolInfo.textContent = adapterInfo.textContent = "";
  delete record.adapter;
  delete record.threading;
  sampleInfo.textContent = `A sample appears every ${settings.sampleEvery} steps.`;
  const where = {
    cpu: "the CPU backend in a trainer worker",
    wasm: "the WebAssembly backend in a trainer worker",
    workers: `a pool of ${settings.workers} Web Worker${settings.workers === 1 ? "" : "s"}`,
    webgpu: "WebGPU, from a trainer worker",
  }[settings.backend];
  status.textContent = `Loading the model on ${where}…`;
  run = new TrainerRun(settings, corpusText, {
    message(m) {
      if (m.type === "ready") {
        status.textContent = `Training on ${where}.`;
        runInfo.textContent = `${m.vocabSize} characters, ${settings.batch} streams of ${m.streamLength} steps, windows of ${settings.window}; float32; ${settings.optimizer}, learning rate ${settings.lr}, gradient norm clipped at ${CLIP_NORM}.`;
      } else if (m.type === "progress") {
        const { type: _, ...p } = m;
        record.progress.push(p);
        latest = p;
        chart.add(p.step, p.loss);
        flowChart.show(stepsBackChart(p.deltaNorms));
        frame ||= requestAnimationFrame(render);
      } else if (m.type === "sample") {
        sample.textContent = m.text;
        sampleInfo.textContent = `After step ${m.step}, temperature ${m.temperature.toFixed(1)} (drawn in ${Math.round(m.ms)} ms).`;
      } else if (m.type === "adapter") {
        record.adapter = m.adapter;
        adapterInfo.textContent = adapterText(m.adapter);
      } else if (m.type === "threading") {
        const { type: _, ...threading } = m;
        record.threading = threading;
        poolInfo.textContent = threadingText(threading);
      } else if (m.type === "log") {
        poolInfo.textContent = `Pool: ${m.message}.`;
      }
    },
    end(e) {
      run = undefined;
      record.end = e;
      render();
      if (e.kind === "stopped") stats.step.textContent = String(e.step); // with the last window, which was not reported
      status.textContent = e.kind === "stopped" ? `Stopped after ${e.step} steps.` : `Training failed: ${e.message}`;
      setRunning(false);
    },
  });
  setRunning(true);
}

function stop(): void {
  if (!run) return;
  status.textContent = "Stopping…";
  run.stop();
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  start();
});
stopButton.addEventListener("click", stop);
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") stop();
});
for (const el of [cell, hidden]) el.addEventListener("change", showModel);
backend.addEventListener("change", () => (workers.disabled = backend.value !== "workers"));
temperature.addEventListener("input", () => {
  temperatureValue.textContent = Number(temperature.value).toFixed(1);
  run?.setTemperature(Number(temperature.value));
});
showModel();
void offerWebGpu();
