// Running a model both ways: unroll's runForward on the CPU backend, and ONNX Runtime on our export.
import { createCpuBackend } from "@unroll/backend-cpu";
import { createRng, runForward } from "@unroll/bptt";
import { loadProgram, type CheckedProgram, type Dtype, type Tensor } from "@unroll/ir";
import * as ort from "onnxruntime-node";
import { expect } from "vitest";
import { encodeOnnxModel, type OnnxModel } from "../../src/index.js";

/** A batch of inputs for one model: time-major sequences, and optional lengths and initial states. */
export interface RunInputs {
  /** Data sequences `[T, B, ...]` by name (token ids as numbers). */
  readonly sequences: Record<string, Tensor>;
  /** Per-row lengths. */
  readonly lengths?: readonly number[];
  /** Initial states `[B, ...]` by state name. */
  readonly initialState?: Record<string, Tensor>;
}

/** What both runs are compared on. */
export interface RunOutputs {
  /** The output sequence `[T, B, ...]`. */
  readonly output: Tensor;
  /** Each state's final value `[B, ...]`. */
  readonly finalState: Record<string, Tensor>;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Uniform values in ±scale from a seeded generator. */
export function uniform(shape: readonly number[], rng: () => number, dtype: Dtype, scale = 1): Tensor {
  const data = dtype === "float64" ? new Float64Array(size(shape)) : new Float32Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = (2 * rng() - 1) * scale;
  return { shape: [...shape], data };
}

/** Every param of a program uniform in ±0.6 (layer-norm gains too, so that a misplaced one shows). */
export function randomWeights(program: CheckedProgram, seed: number, dtype: Dtype): Record<string, Tensor> {
  const rng = createRng(seed);
  return Object.fromEntries(Object.entries(program.params).map(([id, shape]) => [id, uniform(shape, rng, dtype, 0.6)]));
}

/** The inputs of a program: uniform data (token ids in range for the sequences read as ids), lengths, states. */
export function randomInputs(
  program: CheckedProgram,
  seed: number,
  dtype: Dtype,
  opts: { steps: number; batch: number; ids?: Record<string, number>; lengths?: readonly number[]; initialStates?: boolean },
): RunInputs {
  const rng = createRng(seed);
  const sequences: Record<string, Tensor> = {};
  for (const [id, shape] of Object.entries(program.dataInputs)) {
    if (program.dropout[id]) continue;
    const dims = [opts.steps, opts.batch, ...(shape.slice(1) as number[])];
    const vocab = opts.ids?.[id];
    const t = uniform(dims, rng, dtype);
    if (vocab !== undefined) t.data.forEach((_, i) => (t.data[i] = Math.floor(rng() * vocab)));
    sequences[id] = t;
  }
  const initialState = opts.initialStates
    ? Object.fromEntries(Object.entries(program.states).map(([id, s]) => [id, uniform([opts.batch, ...(s.shape.slice(1) as number[])], rng, dtype, 0.8)]))
    : undefined;
  return { sequences, ...(opts.lengths ? { lengths: opts.lengths } : {}), ...(initialState ? { initialState } : {}) };
}

/** unroll's forward pass on the CPU backend. */
export async function runUnroll(document: unknown, weights: Record<string, Tensor>, inputs: RunInputs, dtype: Dtype): Promise<RunOutputs> {
  const program = loadProgram(document);
  const backend = createCpuBackend();
  try {
    const loaded = await backend.load(program, { dtype });
    const r = await runForward(loaded, weights, inputs, program);
    return { output: r.outputs, finalState: { ...r.finalState } };
  } finally {
    await backend.dispose();
  }
}

/** ONNX Runtime's run of an exported model on the same inputs (the feeds our export's graph inputs name). */
export async function runOnnx(model: OnnxModel, inputs: RunInputs, dtype: Dtype): Promise<RunOutputs> {
  const session = await ort.InferenceSession.create(encodeOnnxModel(model));
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    const info = model.graph!.input!.find((i) => i.name === name)!;
    const elem = info.type!.tensorType!.elemType;
    if (name === "sequence_lens") feeds[name] = new ort.Tensor("int32", Int32Array.from(inputs.lengths!), [inputs.lengths!.length]);
    else if (name.startsWith("initialState.")) {
      const t = inputs.initialState![name.slice("initialState.".length)];
      feeds[name] = new ort.Tensor(dtype, t.data, [...t.shape]);
    } else {
      const t = inputs.sequences[name];
      feeds[name] =
        elem === 7
          ? new ort.Tensor(
              "int64",
              BigInt64Array.from(t.data, (v) => BigInt(v)),
              [...t.shape],
            )
          : new ort.Tensor(dtype, t.data, [...t.shape]);
    }
  }
  const results = await session.run(feeds);
  const tensor = (v: ort.Tensor): Tensor => ({ shape: [...v.dims], data: v.data as Float32Array | Float64Array });
  const finalState: Record<string, Tensor> = {};
  for (const name of session.outputNames) if (name.startsWith("finalState.")) finalState[name.slice("finalState.".length)] = tensor(results[name]);
  await session.release();
  return { output: tensor(results[session.outputNames[0]]), finalState };
}

/** Asserts that two tensors have one shape and agree elementwise within `tol`, naming the worst element. */
export function expectClose(actual: Tensor, expected: Tensor, tol: number, what: string): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  let worst = 0;
  let at = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const d = Math.abs(actual.data[i] - expected.data[i]);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `${what}: largest difference at element ${at} (${actual.data[at]} vs ${expected.data[at]})`).toBeLessThanOrEqual(tol);
}

/** Asserts that two runs agree within `tol`: the output and every final state. */
export function expectSameRun(actual: RunOutputs, expected: RunOutputs, tol: number): void {
  expectClose(actual.output, expected.output, tol, "output");
  expect(Object.keys(actual.finalState).sort()).toEqual(Object.keys(expected.finalState).sort());
  for (const [name, t] of Object.entries(expected.finalState)) expectClose(actual.finalState[name], t, tol, `final state ${name}`);
}
