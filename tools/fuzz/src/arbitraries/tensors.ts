import fc from "fast-check";
import type { Nested } from "@unroll/ir";

/** Small finite values, so that a few steps of a small model stay finite. */
const element = fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true });

/** Nested arrays of the given shape filled from `leaf` (`[]` gives a scalar). */
export function nestedOf(shape: readonly number[], leaf: fc.Arbitrary<number> = element): fc.Arbitrary<Nested> {
  if (shape.length === 0) return leaf;
  return fc.array(nestedOf(shape.slice(1), leaf), { minLength: shape[0], maxLength: shape[0] });
}
