import type { Dtype } from "@unroll/ir";

/** How close a value must be to the expected one: `|actual - expected| <= atol + rtol·|expected|`. */
export interface Tolerance {
  /** Absolute floor, for values near zero. */
  readonly atol: number;
  /** Relative part. */
  readonly rtol: number;
}

/** Forward values against the float64 reference: float32 carries ~1e-7 rounding per op, float64 only summation order. */
export const FORWARD_TOLERANCE: Readonly<Record<Dtype, Tolerance>> = {
  float32: { atol: 1e-6, rtol: 1e-5 },
  float64: { atol: 1e-12, rtol: 1e-12 },
};

/** Gradients against the float64 reference: errors grow through T steps of backward. */
export const GRADIENT_TOLERANCE: Readonly<Record<Dtype, Tolerance>> = {
  float32: { atol: 2e-5, rtol: 1e-4 },
  float64: { atol: 1e-11, rtol: 1e-10 },
};

/** Two runs of the same backend and dtype that are the same math in a different grouping (windows, split batches). */
export const SAME_BACKEND_TOLERANCE: Readonly<Record<Dtype, Tolerance>> = {
  float32: { atol: 1e-6, rtol: 1e-5 },
  float64: { atol: 1e-13, rtol: 1e-11 },
};

/**
 * Central finite differences in float64 with step 1e-6: truncation error ~1e-12,
 * rounding ~1e-10 for losses of order 1.
 */
export const FD_STEP = 1e-6;

/** Analytic gradients against central finite differences (float64). */
export const FD_TOLERANCE: Tolerance = { atol: 1e-8, rtol: 1e-6 };

/** True when `actual` is within `tol` of `expected` (both non-finite values must be equal). */
export function isClose(actual: number, expected: number, tol: Tolerance): boolean {
  if (!Number.isFinite(expected)) return Object.is(actual, expected);
  return Math.abs(actual - expected) <= tol.atol + tol.rtol * Math.abs(expected);
}
