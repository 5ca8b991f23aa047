import { sizeOf, type Tensor } from "@unroll/ir";
import { selectRows } from "@unroll/bptt";
import type { RowRange } from "./protocol.js";

/**
 * Rows `[from, to)` of axis `axis` (1 for time-major sequences, 0 for states):
 * the tensor itself when that is all of them, a view when they are contiguous
 * (axis 0), else a copy.
 */
export function rowsOf(t: Tensor, { from, to }: RowRange, axis: number): Tensor {
  if (from === 0 && to === t.shape[axis]) return t;
  if (axis > 0 && sizeOf(t.shape.slice(0, axis)) > 1) return selectRows(t, from, to, axis);
  const inner = sizeOf(t.shape.slice(axis + 1));
  const shape = [...t.shape];
  shape[axis] = to - from;
  return { shape, data: t.data.subarray(from * inner, to * inner) };
}

/** Writes `src` (with b rows on axis `axis`) into rows `[at, at + b)` of `dst`. */
export function writeRows(dst: Tensor, src: Tensor, at: number, axis: number): void {
  const outer = sizeOf(src.shape.slice(0, axis));
  const inner = sizeOf(src.shape.slice(axis + 1));
  const rows = src.shape[axis];
  const dstRows = dst.shape[axis];
  if (dst.data.length !== outer * dstRows * inner || at + rows > dstRows) {
    throw new Error(`cannot write ${rows} rows of shape [${src.shape.join(", ")}] at row ${at} of shape [${dst.shape.join(", ")}]`);
  }
  for (let o = 0; o < outer; o++) {
    dst.data.set(src.data.subarray(o * rows * inner, (o + 1) * rows * inner), (o * dstRows + at) * inner);
  }
}
