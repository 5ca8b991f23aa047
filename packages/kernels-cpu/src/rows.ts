import type { FloatArray } from "@unroll/ir";

/** Number of rows of width `width` in `length` elements (0 when the width is 0). */
export function rowCount(length: number, width: number): number {
  return width === 0 ? 0 : length / width;
}

/** Largest of `data[start .. start + width)`. */
export function rowMax(data: FloatArray, start: number, width: number): number {
  let max = -Infinity;
  for (let j = start, end = start + width; j < end; j++) if (data[j] > max) max = data[j];
  return max;
}

/** `log Σ_j exp(data[j] - max)` over one row: the stable log-sum-exp minus the row max. */
export function logSumExpShifted(data: FloatArray, start: number, width: number, max: number): number {
  let s = 0;
  for (let j = start, end = start + width; j < end; j++) s += Math.exp(data[j] - max);
  return Math.log(s);
}
