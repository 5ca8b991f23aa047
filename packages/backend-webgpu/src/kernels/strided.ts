import { MAX_RANK } from "./prelude.js";

/** A view of a tensor as the kernels address it: an element offset and a stride per axis of the iteration space. */
export interface Strided {
  /** Element offset of index 0. */
  readonly base: number;
  /** Stride of each axis (0 where the operand broadcasts). */
  readonly strides: readonly number[];
}

/** Row-major strides of a shape. */
export function rowMajor(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let i = shape.length - 1, k = 1; i >= 0; i--) {
    s[i] = k;
    k *= shape[i];
  }
  return s;
}

/** Strides of `shape` read as broadcast to `out` (aligned on the right, 0 where the operand has 1 or no axis). */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const aligned = [...Array<number>(out.length - shape.length).fill(1), ...shape];
  const own = rowMajor(aligned);
  return aligned.map((d, i) => (d === 1 ? 0 : own[i]));
}

/**
 * Merges adjacent axes that every operand walks contiguously (and drops axes
 * of size 1), so that kernels see the lowest rank that addresses the same
 * elements: `[B, H]` against a bias `[H]` stays rank 2, two same-shape
 * operands become rank 1.
 */
export function collapse(dims: readonly number[], operands: readonly (readonly number[])[]): { dims: number[]; strides: number[][] } {
  const outDims: number[] = [];
  const outStrides: number[][] = operands.map(() => []);
  for (let a = 0; a < dims.length; a++) {
    if (dims[a] === 1) continue;
    const last = outDims.length - 1;
    if (last >= 0 && operands.every((s, k) => outStrides[k][last] === s[a] * dims[a])) {
      outDims[last] *= dims[a];
      operands.forEach((s, k) => (outStrides[k][last] = s[a]));
    } else {
      outDims.push(dims[a]);
      operands.forEach((s, k) => outStrides[k].push(s[a]));
    }
  }
  if (outDims.length === 0) return { dims: [1], strides: operands.map(() => [0]) };
  if (outDims.length > MAX_RANK) {
    throw new Error(
      `the webgpu backend addresses at most ${MAX_RANK} axes that cannot be merged; this operation has ${outDims.length} (dims [${dims.join(", ")}])`,
    );
  }
  return { dims: outDims, strides: outStrides };
}
