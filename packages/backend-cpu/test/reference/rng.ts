import type { Dense } from "./linalg.js";

/** A seeded uniform generator on [0, 1) (xorshift32), independent of the library's own. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** A tensor-shaped value of the given precision, uniform in [-scale, scale]. */
export function randomDense(
  shape: readonly number[],
  rand: () => number,
  scale: number,
  dtype: "float32" | "float64",
): Dense & { data: Float32Array | Float64Array } {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (2 * rand() - 1) * scale;
  return { shape: [...shape], data };
}

/** Class ids `[T, B]`, integers in `[0, classes)`. */
export function randomClasses(
  steps: number,
  batch: number,
  classes: number,
  rand: () => number,
  dtype: "float32" | "float64",
): Dense & { data: Float32Array | Float64Array } {
  const data = dtype === "float64" ? new Float64Array(steps * batch) : new Float32Array(steps * batch);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(classes - 1, Math.floor(rand() * classes));
  return { shape: [steps, batch], data };
}
