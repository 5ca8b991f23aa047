import { sizeOf, type Tensor } from "@unroll/ir";

/** The four arithmetic ops, with a separate loop each so V8 compiles the arithmetic inline. */
export type BinaryOp = "add" | "sub" | "mul" | "div";

/** True when `small` is the trailing part of `shape`, so it repeats once per leading row. */
function isTrailing(small: readonly number[], shape: readonly number[]): boolean {
  const off = shape.length - small.length;
  if (off < 0) return false;
  for (let i = 0; i < small.length; i++) if (small[i] !== shape[off + i]) return false;
  return true;
}

/**
 * The hot cases of elementwise arithmetic without a callback per element: equal
 * sizes, and one operand repeating along the leading axes (a bias `[H]` against
 * `[B, H]`, or a scalar). Returns false for any other broadcast.
 */
export function binaryFast(op: BinaryOp, a: Tensor, b: Tensor, out: Tensor): boolean {
  const x = a.data;
  const y = b.data;
  const o = out.data;
  const n = sizeOf(out.shape);
  if (x.length === n && y.length === n) {
    switch (op) {
      case "add": for (let i = 0; i < n; i++) o[i] = x[i] + y[i]; break;
      case "sub": for (let i = 0; i < n; i++) o[i] = x[i] - y[i]; break;
      case "mul": for (let i = 0; i < n; i++) o[i] = x[i] * y[i]; break;
      case "div": for (let i = 0; i < n; i++) o[i] = x[i] / y[i]; break;
    }
    return true;
  }
  if (x.length === n && isTrailing(b.shape, out.shape)) {
    const p = y.length;
    switch (op) {
      case "add": for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[r + j] + y[j]; break;
      case "sub": for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[r + j] - y[j]; break;
      case "mul": for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[r + j] * y[j]; break;
      case "div": for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[r + j] / y[j]; break;
    }
    return true;
  }
  if (y.length === n && isTrailing(a.shape, out.shape)) {
    const p = x.length;
    switch (op) {
      case "add": for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[j] + y[r + j]; break;
      case "sub": for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[j] - y[r + j]; break;
      case "mul": for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[j] * y[r + j]; break;
      case "div": for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[j] / y[r + j]; break;
    }
    return true;
  }
  return false;
}
