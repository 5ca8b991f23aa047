import { allocate, resolveShape, sizeOf, type CheckedProgram, type Dtype, type Tensor } from "@unroll/ir";
import { createRng } from "@unroll/bptt";

/** Draws one element from a uniform generator on [0, 1). */
export type Gen = (rand: () => number) => number;

/** Uniform in [-1, 1). */
export const uniform: Gen = (r) => 2 * r() - 1;
/** Uniform in [-scale, scale). */
export const wide =
  (scale: number): Gen =>
  (r) =>
    scale * (2 * r() - 1);
/** Bounded away from 0 (relu and step inputs, divisors): |v| in [0.25, 1.25). */
export const awayFromZero: Gen = (r) => (r() < 0.5 ? -1 : 1) * (0.25 + r());
/** Positive, in [0.5, 2) (log inputs). */
export const positive: Gen = (r) => 0.5 + 1.5 * r();
/** Integer class ids in [0, depth), stored as numbers. */
export const classIds =
  (depth: number): Gen =>
  (r) =>
    Math.min(depth - 1, Math.floor(r() * depth));

/** A seed from a string (FNV-1a), so that each case's numbers do not depend on the other cases. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A seeded generator on [0, 1) for a case name. */
export function rngFor(name: string): () => number {
  return createRng(seedOf(name));
}

/** A float64 tensor of the given shape drawn from `gen`. */
export function randomTensor(shape: readonly number[], rand: () => number, gen: Gen = uniform): Tensor {
  return { shape: [...shape], data: Float64Array.from({ length: sizeOf(shape) }, () => gen(rand)) };
}

/** A copy of a tensor in another precision (float32 rounds). */
export function cast(t: Tensor, dtype: Dtype): Tensor {
  const data = allocate(dtype, t.data.length);
  data.set(t.data);
  return { shape: [...t.shape], data };
}

/** A copy of every tensor of a record in another precision. */
export function castAll(ts: Readonly<Record<string, Tensor>>, dtype: Dtype): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, cast(t, dtype)]));
}

/** A deep copy of a record of tensors, same precision. */
export function cloneAll(ts: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, { shape: [...t.shape], data: t.data.slice() }]));
}

/**
 * Random float64 params for a program, uniform in [-scale, scale), in sorted-name
 * order (not the library's init, so that a bug there cannot hide one here).
 */
export function randomParams(program: CheckedProgram, rand: () => number, scale = 0.6): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const name of Object.keys(program.params).sort()) out[name] = randomTensor(program.params[name], rand, wide(scale));
  return out;
}

/** A random float64 initial value, scale 0.5, for every state of a program. */
export function randomInitialState(program: CheckedProgram, batch: number, rand: () => number): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, info] of Object.entries(program.states)) out[name] = randomTensor(resolveShape(info.shape, batch), rand, wide(0.5));
  return out;
}
