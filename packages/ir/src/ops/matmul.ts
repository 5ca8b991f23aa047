import { z } from "zod";
import { ShapeError } from "../errors.js";
import { formatShape, shapesEqual, type Shape } from "../shape.js";
import { defineOp, nodeSchema } from "./define.js";

/**
 * The matrix view of a matmul's operands: `a` is `[..., k]` with its leading
 * axes as rows (so a stack of row blocks multiplies one matrix, as forward-mode
 * tangents `[B, D, k]` do); with `transposeA` those leading axes are contracted
 * with the same leading axes of `b`. A transposed `b` is rank 2.
 */
export function matmulShape(a: Shape, b: Shape, tA: boolean, tB: boolean): Shape {
  const fail = (why: string): never => {
    throw new ShapeError(`matmul: ${why}: ${formatShape(a)}${tA ? "ᵀ" : ""} · ${formatShape(b)}${tB ? "ᵀ" : ""}`);
  };
  if (a.length < 2 || b.length < 2) fail("needs operands of rank 2 or more");
  if (tA) {
    // aᵀ · b: contract a's leading axes against b's
    if (tB) {
      if (a.length !== 2 || b.length !== 2) fail("with both operands transposed, both must be rank 2");
      if (a[0] !== b[1]) fail("inner dimensions differ");
      return [a[1], b[0]];
    }
    if (!shapesEqual(a.slice(0, -1), b.slice(0, -1))) fail("with transposeA, the leading axes of both operands must match");
    return [a[a.length - 1], b[b.length - 1]];
  }
  if (b.length !== 2) fail("the second operand must be rank 2 unless transposeA is set");
  const k = a[a.length - 1];
  const [kb, p] = tB ? [b[1], b[0]] : [b[0], b[1]];
  if (k !== kb) fail("inner dimensions differ");
  return [...a.slice(0, -1), p];
}

/**
 * Matrix product `op(a) · op(b)` where `op` transposes when `transposeA` /
 * `transposeB` is set (no transpose is materialized). Operands are matrices, or
 * `a` is a stack `[..., k]` whose leading axes are rows.
 */
export const matmul = defineOp(
  nodeSchema(
    "matmul",
    2,
    z
      .object({
        /** Use the transpose of the first operand. */
        transposeA: z.boolean().optional(),
        /** Use the transpose of the second operand. */
        transposeB: z.boolean().optional(),
      })
      .strict()
      .optional(),
  ),
  {
    shape: ([a, b], n) => matmulShape(a, b, n.attrs?.transposeA ?? false, n.attrs?.transposeB ?? false),
    vjp: ({ b }, n, g) => {
      const [x, y] = n.inputs;
      const tA = n.attrs?.transposeA ?? false;
      const tB = n.attrs?.transposeB ?? false;
      // C = op(A) op(B): dA and dB for the four transpose cases, with no explicit transposes
      if (!tA && !tB) return [b.matmul(g, y, { transposeB: true }), b.matmul(x, g, { transposeA: true })];
      if (!tA && tB) return [b.matmul(g, y), b.matmul(g, x, { transposeA: true })];
      if (tA && !tB) return [b.matmul(y, g, { transposeB: true }), b.matmul(x, g)];
      return [b.matmul(y, g, { transposeA: true, transposeB: true }), b.matmul(g, x, { transposeA: true, transposeB: true })];
    },
    elementwise: undefined,
    // bilinear: (Σa)·(Σb) is not Σ a·b
    timeLinear: false,
    batch: "rowwise",
    doc: {
      group: "linear algebra",
      inputs: "a `[..., k]` (leading axes are rows), b (rank 2, or `[..., p]` with `transposeA`)",
      attrs: "`transposeA?`, `transposeB?`",
      output: "`[..., p]` of `op(a)·op(b)`; `[k, p]` with `transposeA`",
      gradient: "`da = g·bᵀ`, `db = aᵀ·g`. Transposed cases use the flags and never materialize a transpose.",
    },
  },
);
