// The browser check's page: one LSTM, float64, full BPTT gradients and one SGD
// step on the worker pool (module Web Workers) and on the CPU backend in the
// page; the differences go to `window.__result` for the test to read.
import { loadProgram, resolveShape, type CheckedProgram, type ModelSpec, type Tensor } from "@unroll/ir";
import { computeGradients, createRng, initParams, sgd, Trainer, type Backend, type SequenceData } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
// the browser entry (`@unroll/backend-workers/web`), imported by path as this package's own tests do
import { createWorkerBackend } from "../../../src/web.js";

/** What the page reports on `window.__result`. */
export interface PageResult {
  readonly crossOriginIsolated: boolean;
  readonly sharedArrayBuffer: boolean;
  /** Elements compared in the gradients (params, inputs, initial state). */
  readonly gradElements: number;
  readonly maxAbsGradDiff: number;
  readonly lossDiff: number;
  readonly paramsAfterStepDiff: number;
  /** How far the SGD step moved the params: shows the step did something. */
  readonly stepSize: number;
  readonly loss: number;
  /** The worker backend's log. */
  readonly log: readonly string[];
}

declare global {
  interface Window {
    __result?: PageResult | { readonly error: string };
  }
}

const spec: ModelSpec = { input: 2, layers: [{ cell: "lstm", hidden: 3 }], head: { units: 2, activation: "linear" }, loss: "mse" };
const B = 4;
const T = 6;

/** Uniform numbers in [-1, 1) from a seeded generator. */
function uniform(seed: number): () => number {
  const rng = createRng(seed);
  return () => 2 * rng() - 1;
}

function tensor(shape: readonly number[], next: () => number): Tensor {
  return { shape: [...shape], data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, next) };
}

/** Random sequences `[T, B, ...]` and initial state for the program's inputs, from a fixed seed. */
function randomData(program: CheckedProgram, seed: number): SequenceData {
  const next = uniform(seed);
  const sequences = Object.fromEntries(Object.entries(program.dataInputs).map(([k, shape]) => [k, tensor([T, ...resolveShape(shape, B)], next)]));
  const initialState = Object.fromEntries(Object.entries(program.states).map(([k, info]) => [k, tensor(resolveShape(info.shape, B), () => 0.5 * next())]));
  return { sequences, initialState };
}

function clone(ts: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, { shape: [...t.shape], data: t.data.slice() }]));
}

/** Largest elementwise |a - b| over two tensor records; Infinity when their names or sizes differ. */
function maxAbsDiff(a: Readonly<Record<string, Tensor>>, b: Readonly<Record<string, Tensor>>): number {
  const names = Object.keys(b).sort();
  if (Object.keys(a).sort().join() !== names.join()) return Infinity;
  let max = 0;
  for (const k of names) {
    if (a[k].data.length !== b[k].data.length) return Infinity;
    for (let i = 0; i < b[k].data.length; i++) max = Math.max(max, Math.abs(a[k].data[i] - b[k].data[i]));
  }
  return max;
}

const count = (ts: Readonly<Record<string, Tensor>>): number => Object.values(ts).reduce((n, t) => n + t.data.length, 0);

async function run(): Promise<PageResult> {
  const program = loadProgram(spec);
  const params = initParams(program, 7, "float64");
  const data = randomData(program, 8);
  const log: string[] = [];
  const workers: Backend = createWorkerBackend({ workers: 2, log: (m) => void log.push(m) });
  try {
    const [onWorkers, onCpu] = await Promise.all([workers.load(program, { dtype: "float64" }), createCpuBackend().load(program, { dtype: "float64" })]);
    const w = await computeGradients(onWorkers, program, params, data, { kind: "full" });
    const c = await computeGradients(onCpu, program, params, data, { kind: "full" });
    const gradDiff = Math.max(maxAbsDiff(w.grads, c.grads), maxAbsDiff(w.inputGrads, c.inputGrads), maxAbsDiff(w.initialStateGrads, c.initialStateGrads));

    // one optimizer step: full BPTT is one window, so one fit is one SGD step
    const trainOn = async (loaded: typeof onCpu): Promise<Record<string, Tensor>> => {
      const trainer = new Trainer(loaded, program, clone(params), { optimizer: sgd({ lr: 0.1 }) });
      await trainer.fit(data);
      return trainer.params;
    };
    const [afterWorkers, afterCpu] = [await trainOn(onWorkers), await trainOn(onCpu)];
    return {
      crossOriginIsolated: globalThis.crossOriginIsolated,
      sharedArrayBuffer: typeof SharedArrayBuffer !== "undefined",
      gradElements: count(c.grads) + count(c.inputGrads) + count(c.initialStateGrads),
      maxAbsGradDiff: gradDiff,
      lossDiff: Math.abs(w.loss - c.loss),
      paramsAfterStepDiff: maxAbsDiff(afterWorkers, afterCpu),
      stepSize: maxAbsDiff(afterCpu, params),
      loss: c.loss,
      log,
    };
  } finally {
    await workers.dispose();
  }
}

const out = document.getElementById("result")!;
run().then(
  (result) => {
    window.__result = result;
    out.textContent = JSON.stringify(result, null, 2);
  },
  (e: unknown) => {
    const error = e instanceof Error ? `${e.stack ?? e.message}` : String(e);
    window.__result = { error };
    out.textContent = `error: ${error}`;
  },
);
