import { expect } from "vitest";
import type { Dense } from "./linalg.js";

type Nested = number | Nested[];

function shapeOf(v: Nested): number[] {
  return typeof v === "number" ? [] : [v.length, ...(v.length > 0 ? shapeOf(v[0]) : [])];
}

function flatten(v: Nested, out: number[] = []): number[] {
  if (typeof v === "number") out.push(v);
  else for (const e of v) flatten(e, out);
  return out;
}

/** Expects a tensor to have the shape of nested `expected` and every element within `tol` (absolute) of it. */
export function expectClose(actual: Dense | undefined, expected: Nested, tol: number, what: string): void {
  expect(actual, `${what} is missing`).toBeDefined();
  expect([...actual!.shape], `${what}: shape`).toEqual(shapeOf(expected));
  const want = flatten(expected);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(actual!.data[i] - want[i]);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  const detail = at < 0 ? "" : ` (worst at flat index ${at}: got ${actual!.data[at]}, reference ${want[at]})`;
  expect(worst, `${what}: max abs difference ${worst}${detail}`).toBeLessThanOrEqual(tol);
}

/** A forward result as the engine reports it: outputs, per-step states, final state and loss. */
export interface ForwardLike {
  readonly outputs: Dense;
  readonly states: Readonly<Record<string, Dense>>;
  readonly finalState: Readonly<Record<string, Dense>>;
  readonly loss?: number;
}

/** A forward result as the reference computes it. */
export interface ReferenceLike {
  readonly outputs: number[][][];
  readonly states: Readonly<Record<string, number[][][]>>;
  readonly finalState: Readonly<Record<string, number[][]>>;
  readonly loss?: number;
}

/** Expects the engine's outputs, every state at every step, the final states and the loss to match the reference. */
export function expectForwardMatches(actual: ForwardLike, ref: ReferenceLike, tol: number): void {
  expectClose(actual.outputs, ref.outputs, tol, "outputs");
  expect(Object.keys(actual.states).sort(), "state names").toEqual(Object.keys(ref.states).sort());
  expect(Object.keys(actual.finalState).sort(), "final state names").toEqual(Object.keys(ref.finalState).sort());
  for (const [name, s] of Object.entries(ref.states)) expectClose(actual.states[name], s, tol, `states["${name}"]`);
  for (const [name, s] of Object.entries(ref.finalState)) expectClose(actual.finalState[name], s, tol, `finalState["${name}"]`);
  if (ref.loss === undefined) {
    expect(actual.loss, "loss").toBeUndefined();
  } else {
    expect(actual.loss, "loss").toBeDefined();
    expect(Math.abs(actual.loss! - ref.loss), `loss: engine ${actual.loss}, reference ${ref.loss}`).toBeLessThanOrEqual(tol);
  }
}
