import { sizeOf, type FloatArray, type Tensor } from "@unroll/ir";

/**
 * How an operand's elements map onto an output it broadcasts to:
 * `full` one to one; `tile` the operand repeats every `period` elements (it broadcasts
 * along leading axes, as a bias `[H]` does against `[B, H]`); `repeat` each operand element
 * covers `run` consecutive elements (it broadcasts along trailing axes, as `[B, 1]` does);
 * `general` anything else.
 */
export type Layout = { kind: "full" } | { kind: "tile"; period: number } | { kind: "repeat"; run: number } | { kind: "general" };

/** The operand's shape with leading 1s added up to `rank`. */
function aligned(shape: readonly number[], rank: number): number[] {
  return [...Array<number>(rank - shape.length).fill(1), ...shape];
}

/** Classifies how `shape` broadcasts to `outShape` (which it is known to broadcast to). */
export function layoutOf(shape: readonly number[], outShape: readonly number[]): Layout {
  const size = sizeOf(shape);
  if (size === sizeOf(outShape)) return { kind: "full" };
  const s = aligned(shape, outShape.length);
  let first = 0;
  while (first < s.length && s[first] === 1) first++;
  if (s.every((d, i) => i < first || d === outShape[i])) return { kind: "tile", period: size };
  let last = s.length - 1;
  while (last >= 0 && s[last] === 1) last--;
  if (s.every((d, i) => i > last || d === outShape[i])) return { kind: "repeat", run: sizeOf(outShape.slice(last + 1)) };
  return { kind: "general" };
}

/**
 * Row-major strides of `shape` aligned to the rank of `outShape`, with stride 0 on
 * every axis where the operand has size 1 (or is missing), so that it broadcasts.
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const s = aligned(shape, outShape.length);
  const strides = new Array<number>(s.length).fill(0);
  let stride = 1;
  for (let i = s.length - 1; i >= 0; i--) {
    if (s[i] !== 1) strides[i] = stride;
    stride *= s[i];
  }
  return strides;
}

/**
 * Visits the output in row-major order one innermost row at a time, with the offsets
 * of the two operands at the start of the row; the general (slow) path.
 */
function forEachRow(
  outShape: readonly number[],
  sa: readonly number[],
  sb: readonly number[],
  row: (o: number, ia: number, ib: number, width: number, da: number, db: number) => void,
): void {
  const rank = outShape.length;
  if (rank === 0) return row(0, 0, 0, 1, 0, 0);
  const width = outShape[rank - 1];
  const size = sizeOf(outShape);
  const idx = new Array<number>(rank - 1).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < size; o += width) {
    row(o, ia, ib, width, sa[rank - 1], sb[rank - 1]);
    // odometer over the outer axes
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < outShape[d]) break;
      ia -= idx[d] * sa[d];
      ib -= idx[d] * sb[d];
      idx[d] = 0;
    }
  }
}

/**
 * `out = f(a, b)` elementwise with NumPy broadcasting over any rank. Reference loop:
 * `for each index i of out: out[i] = f(a[i mapped to a], b[i mapped to b])`.
 */
export function broadcastBinary(a: Tensor, b: Tensor, out: Tensor, f: (x: number, y: number) => number): void {
  const x = a.data;
  const y = b.data;
  const o = out.data;
  const n = sizeOf(out.shape);
  const la = layoutOf(a.shape, out.shape);
  const lb = layoutOf(b.shape, out.shape);
  if (la.kind === "full" && lb.kind === "full") {
    for (let i = 0; i < n; i++) o[i] = f(x[i], y[i]);
  } else if (la.kind === "full" && lb.kind === "tile") {
    const p = lb.period;
    for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = f(x[r + j], y[j]);
  } else if (la.kind === "full" && lb.kind === "repeat") {
    for (let r = 0, i = 0; i < n; r++) {
      const v = y[r];
      for (let end = i + lb.run; i < end; i++) o[i] = f(x[i], v);
    }
  } else if (lb.kind === "full" && la.kind === "tile") {
    const p = la.period;
    for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = f(x[j], y[r + j]);
  } else if (lb.kind === "full" && la.kind === "repeat") {
    for (let r = 0, i = 0; i < n; r++) {
      const v = x[r];
      for (let end = i + la.run; i < end; i++) o[i] = f(v, y[i]);
    }
  } else {
    const sa = broadcastStrides(a.shape, out.shape);
    const sb = broadcastStrides(b.shape, out.shape);
    forEachRow(out.shape, sa, sb, (start, ia, ib, width, da, db) => {
      for (let j = 0; j < width; j++) o[start + j] = f(x[ia + j * da], y[ib + j * db]);
    });
  }
}

/** Copies `x` into `out`, broadcasting it to `out`'s shape. */
export function broadcastInto(x: Tensor, out: Tensor): void {
  const src = x.data;
  const o: FloatArray = out.data;
  const n = sizeOf(out.shape);
  const l = layoutOf(x.shape, out.shape);
  if (l.kind === "full") {
    for (let i = 0; i < n; i++) o[i] = src[i];
  } else if (l.kind === "tile") {
    for (let r = 0; r < n; r += l.period) for (let j = 0; j < l.period; j++) o[r + j] = src[j];
  } else if (l.kind === "repeat") {
    for (let r = 0; r * l.run < n; r++) o.fill(src[r], r * l.run, (r + 1) * l.run);
  } else {
    const sx = broadcastStrides(x.shape, out.shape);
    forEachRow(out.shape, sx, sx, (start, ix, _ib, width, dx) => {
      for (let j = 0; j < width; j++) o[start + j] = src[ix + j * dx];
    });
  }
}
