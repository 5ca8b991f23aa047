import { expect } from "vitest";
import { loadProgram, type CheckedProgram, type ModelSpec, type Tensor } from "@unroll/ir";
import { createRng, type LoadedProgram } from "@unroll/bptt";
import { createCpuBackend } from "../../src/index.js";

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

/** A deep copy of a tensor record. */
export function cloneAll(ts: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, { shape: [...t.shape], data: t.data.slice() }]));
}

/** Random params for a program (not the library's init, so a bug there cannot hide one here). */
export function randomParams(program: CheckedProgram, seed: number, scale = 0.6): Record<string, Tensor> {
  const next = uniform(seed, scale);
  const out: Record<string, Tensor> = {};
  for (const name of Object.keys(program.params).sort()) out[name] = tensor(program.params[name], next);
  return out;
}

/** Loads a model spec (or any program document) onto a fresh float64 CPU backend. */
export async function loadFloat64(json: unknown): Promise<{ program: CheckedProgram; loaded: LoadedProgram }> {
  const program = loadProgram(json);
  const loaded = await createCpuBackend().load(program, { dtype: "float64" });
  return { program, loaded };
}

/** The model spec type, re-exported for test tables. */
export type Spec = ModelSpec;

/** Tolerance of a gradient check: `|analytic - numeric| <= atol + rtol·|numeric|`. */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** Central differences, float64, step 1e-6: truncation ~1e-12, rounding ~1e-10 for losses of order 1. */
export const FD_EPS = 1e-6;
export const FD_TOL: Tolerance = { atol: 1e-8, rtol: 1e-6 };

/**
 * Checks every element of `analytic` against central finite differences of
 * `loss` with respect to the matching element of `wrt` (perturbed in place and
 * restored). Reports every mismatch at once.
 */
export async function expectMatchesFiniteDifferences(
  label: string,
  wrt: Tensor,
  analytic: Tensor,
  loss: () => Promise<number>,
  tol: Tolerance = FD_TOL,
): Promise<void> {
  expect(analytic.shape, `${label}: gradient shape`).toEqual([...wrt.shape]);
  const bad: string[] = [];
  for (let i = 0; i < wrt.data.length; i++) {
    const old = wrt.data[i];
    wrt.data[i] = old + FD_EPS;
    const up = await loss();
    wrt.data[i] = old - FD_EPS;
    const down = await loss();
    wrt.data[i] = old;
    const numeric = (up - down) / (2 * FD_EPS);
    const got = analytic.data[i];
    if (!(Math.abs(got - numeric) <= tol.atol + tol.rtol * Math.abs(numeric))) bad.push(`${label}[${i}]: analytic ${got}, numeric ${numeric}`);
  }
  expect(bad).toEqual([]);
}

/** Expects two tensors to have the same shape and elements within `atol + rtol·|b|`. */
export function expectClose(label: string, a: Tensor | undefined, b: Tensor | undefined, atol = 1e-12, rtol = 1e-12): void {
  expect(a, `${label} is missing`).toBeDefined();
  expect(b, `${label} (expected) is missing`).toBeDefined();
  expect([...a!.shape], `${label}: shape`).toEqual([...b!.shape]);
  const bad: string[] = [];
  for (let i = 0; i < a!.data.length; i++) {
    if (!(Math.abs(a!.data[i] - b!.data[i]) <= atol + rtol * Math.abs(b!.data[i]))) bad.push(`${label}[${i}]: ${a!.data[i]} vs ${b!.data[i]}`);
  }
  expect(bad).toEqual([]);
}

/** Expects two tensor records to have the same keys and close tensors. */
export function expectAllClose(label: string, a: Readonly<Record<string, Tensor>>, b: Readonly<Record<string, Tensor>>, atol = 1e-12, rtol = 1e-12): void {
  expect(Object.keys(a).sort(), `${label}: names`).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(b)) expectClose(`${label}.${k}`, a[k], b[k], atol, rtol);
}

/** Steps `[from, to)` of a time-major tensor, copied. */
export function steps(t: Tensor, from: number, to: number): Tensor {
  const n = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return { shape: [to - from, ...t.shape.slice(1)], data: t.data.slice(from * n, to * n) };
}

/** Row `b` of axis `axis` of a tensor, keeping the axis (size 1), copied. */
export function row(t: Tensor, b: number, axis: number): Tensor {
  const outer = t.shape.slice(0, axis).reduce((x, y) => x * y, 1);
  const rows = t.shape[axis];
  const inner = t.shape.slice(axis + 1).reduce((x, y) => x * y, 1);
  const data = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) data.set(t.data.subarray((o * rows + b) * inner, (o * rows + b + 1) * inner), o * inner);
  const shape = [...t.shape];
  shape[axis] = 1;
  return { shape, data };
}

/** Class ids `[T, B]` in 0..classes-1, as floats. */
export function classIds(shape: readonly number[], classes: number, seed: number): Tensor {
  const rng = createRng(seed);
  return tensor(shape, () => Math.floor(rng() * classes));
}
