import { allocate, sizeOf, type Dtype, type Tensor } from "@unroll/ir";

/** A zero sequence of `steps` steps of the given per-step shape. */
export function zeroSequence(steps: number, shape: readonly number[], dtype: Dtype): Tensor {
  return { shape: [steps, ...shape], data: allocate(dtype, steps * sizeOf(shape)) };
}
