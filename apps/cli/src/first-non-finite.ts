import type { Tensor } from "@unroll/ir";

/** The index of the first NaN or ±Infinity in `data`, or -1: a plain loop, as a callback per element costs more than reading the file (5M weights). */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) {
    // v - v is 0 for a finite v and NaN for NaN and ±Infinity
    if (data[i] - data[i] !== 0) return i;
  }
  return -1;
}

/** A tensor read from a binary file, refused as nested arrays are (`fromNested`) when an element is NaN or ±Infinity. */
export function checkFinite(t: Tensor, what: string): Tensor {
  const bad = firstNonFinite(t.data);
  if (bad >= 0) throw new Error(`${what} element ${bad} is ${t.data[bad]}; only finite numbers are allowed`);
  return t;
}
