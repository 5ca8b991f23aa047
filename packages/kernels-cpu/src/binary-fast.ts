import { sizeOf, type Tensor } from "@unroll/ir";
import { layoutOf } from "./broadcast.js";

/** The four arithmetic ops, with a separate loop each so V8 compiles the arithmetic inline. */
export type BinaryOp = "add" | "sub" | "mul" | "div";

/**
 * The hot cases of elementwise arithmetic without a callback per element (which
 * V8 cannot inline once four ops share {@link broadcastBinary}): equal sizes, and
 * one operand tiling along the leading axes (a bias `[H]` against `[B, H]`, or a
 * scalar), as {@link layoutOf} classifies them. Returns false for any other layout.
 */
export function binaryFast(op: BinaryOp, a: Tensor, b: Tensor, out: Tensor): boolean {
  const x = a.data;
  const y = b.data;
  const o = out.data;
  const n = sizeOf(out.shape);
  const la = layoutOf(a.shape, out.shape);
  const lb = layoutOf(b.shape, out.shape);
  if (la.kind === "full" && lb.kind === "full") {
    switch (op) {
      case "add":
        for (let i = 0; i < n; i++) o[i] = x[i] + y[i];
        break;
      case "sub":
        for (let i = 0; i < n; i++) o[i] = x[i] - y[i];
        break;
      case "mul":
        for (let i = 0; i < n; i++) o[i] = x[i] * y[i];
        break;
      case "div":
        for (let i = 0; i < n; i++) o[i] = x[i] / y[i];
        break;
    }
    return true;
  }
  if (la.kind === "full" && lb.kind === "tile") {
    const p = lb.period;
    switch (op) {
      case "add":
        for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[r + j] + y[j];
        break;
      case "sub":
        for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[r + j] - y[j];
        break;
      case "mul":
        for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[r + j] * y[j];
        break;
      case "div":
        for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[r + j] / y[j];
        break;
    }
    return true;
  }
  if (lb.kind === "full" && la.kind === "tile") {
    const p = la.period;
    switch (op) {
      case "add":
        for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[j] + y[r + j];
        break;
      case "sub":
        for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[j] - y[r + j];
        break;
      case "mul":
        for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[j] * y[r + j];
        break;
      case "div":
        for (let r = 0; r < n; r += p) for (let j = 0; j < p; j++) o[r + j] = x[j] / y[r + j];
        break;
    }
    return true;
  }
  return false;
}
