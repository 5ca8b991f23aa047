import { allocate, sizeOf, type Dtype, type Tensor } from "@unroll/ir";

/** Step t of a time-major sequence `[L, ...rest]`, as a view that shares its memory. */
export function stepView(seq: Tensor, t: number): Tensor {
  const rest = seq.shape.slice(1);
  const n = sizeOf(rest);
  return { shape: rest, data: seq.data.subarray(t * n, (t + 1) * n) };
}

/** A zero sequence of `steps` steps of the given per-step shape. */
export function zeroSequence(steps: number, shape: readonly number[], dtype: Dtype): Tensor {
  return { shape: [steps, ...shape], data: allocate(dtype, steps * sizeOf(shape)) };
}
