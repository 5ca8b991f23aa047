import { expect } from "vitest";
import { loadProgram, resolveShape, type CheckedProgram, type ModelSpec, type Tensor } from "@unroll/ir";
import { createRng, type SequenceData, type WindowResult } from "@unroll/bptt";

/** A small LSTM with an mse head, the model most tests run. */
export const lstmSpec: ModelSpec = { input: 2, layers: [{ cell: "lstm", hidden: 3 }], head: { units: 2, activation: "linear" }, loss: "mse" };

/** The LSTM spec's checked program. */
export const lstmProgram = (): CheckedProgram => loadProgram(lstmSpec);

/** Uniform numbers in [-scale, scale) from a seeded generator. */
export function uniform(seed: number, scale = 1): () => number {
  const rng = createRng(seed);
  return () => (2 * rng() - 1) * scale;
}

/** A float64 tensor filled from `next`. */
export function tensor(shape: readonly number[], next: () => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape: [...shape], data: Float64Array.from({ length: n }, next) };
}

/** Random float64 params for a program. */
export function randomParams(program: CheckedProgram, seed: number, scale = 0.6): Record<string, Tensor> {
  const next = uniform(seed, scale);
  return Object.fromEntries(
    Object.keys(program.params)
      .sort()
      .map((k) => [k, tensor(program.params[k], next)]),
  );
}

/** Random data `[T, B, ...]` for a program with inputs x and y, a random initial state, and optional lengths. */
export function randomData(program: CheckedProgram, T: number, B: number, seed: number, lengths?: readonly number[]): SequenceData {
  const next = uniform(seed);
  const sequences = Object.fromEntries(Object.entries(program.dataInputs).map(([k, shape]) => [k, tensor([T, ...resolveShape(shape, B)], next)]));
  const initialState = Object.fromEntries(Object.entries(program.states).map(([k, info]) => [k, tensor(resolveShape(info.shape, B), () => 0.5 * next())]));
  return { sequences, initialState, ...(lengths ? { lengths } : {}) };
}

/** A deep copy of a tensor record. */
export function cloneAll(ts: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, { shape: [...t.shape], data: t.data.slice() }]));
}

/** Expects two tensor records to have the same names, shapes and elements within `tol` (0: bitwise). */
export function expectAllClose(
  label: string,
  a: Readonly<Record<string, Tensor>> | undefined,
  b: Readonly<Record<string, Tensor>> | undefined,
  tol = 1e-12,
): void {
  expect(a, `${label} is missing`).toBeDefined();
  expect(Object.keys(a!).sort(), `${label}: names`).toEqual(Object.keys(b!).sort());
  const bad: string[] = [];
  for (const [k, t] of Object.entries(b!)) {
    expect([...a![k].shape], `${label}.${k}: shape`).toEqual([...t.shape]);
    for (let i = 0; i < t.data.length; i++) {
      const x = a![k].data[i];
      const ok = tol === 0 ? Object.is(x, t.data[i]) : Math.abs(x - t.data[i]) <= tol;
      if (!ok) bad.push(`${label}.${k}[${i}]: ${x} vs ${t.data[i]}`);
    }
  }
  expect(bad.slice(0, 10)).toEqual([]);
}

/** Expects two window results to agree within `tol` (0: bitwise) in every field. */
export function expectSameResult(label: string, a: WindowResult, b: WindowResult, tol = 1e-12): void {
  expectAllClose(`${label} outputs`, { outputs: a.outputs }, { outputs: b.outputs }, tol);
  expectAllClose(`${label} states`, a.states, b.states, tol);
  expectAllClose(`${label} finalState`, a.finalState, b.finalState, tol);
  expect(a.lossRows, `${label} lossRows`).toBe(b.lossRows);
  if (tol === 0) expect(a.loss, `${label} loss`).toBe(b.loss);
  else expect(Math.abs((a.loss ?? NaN) - (b.loss ?? NaN)), `${label} loss ${a.loss} vs ${b.loss}`).toBeLessThanOrEqual(tol);
  for (const key of ["grads", "inputGrads", "initialStateGrads"] as const) {
    expect(a[key] === undefined, `${label} ${key} presence`).toBe(b[key] === undefined);
    if (b[key]) expectAllClose(`${label} ${key}`, a[key], b[key], tol);
  }
}

/** A log that keeps its messages. */
export function collectLog(): { readonly messages: string[]; readonly log: (m: string) => void } {
  const messages: string[] = [];
  return { messages, log: (m) => void messages.push(m) };
}
