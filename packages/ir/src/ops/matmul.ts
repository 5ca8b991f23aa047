import { z } from "zod";
import { ShapeError } from "../errors.js";
import { formatShape, type Shape } from "../shape.js";
import { defineOp, nodeSchema } from "./define.js";

/**
 * Matrix product of two rank-2 values, `op(a) · op(b)` where `op` transposes
 * when `transposeA` / `transposeB` is set (no transpose is materialized).
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
    shape: ([a, b], n) => {
      if (a.length !== 2 || b.length !== 2) {
        throw new ShapeError(`matmul needs rank-2 operands, got ${formatShape(a)} and ${formatShape(b)}`);
      }
      const [m, ka] = n.attrs?.transposeA ? [a[1], a[0]] : [a[0], a[1]];
      const [kb, p] = n.attrs?.transposeB ? [b[1], b[0]] : [b[0], b[1]];
      if (ka !== kb) {
        throw new ShapeError(
          `matmul: inner dimensions differ: ${formatShape(a)}${n.attrs?.transposeA ? "ᵀ" : ""} · ${formatShape(b)}${n.attrs?.transposeB ? "ᵀ" : ""}`,
        );
      }
      return [m, p] as Shape;
    },
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
      inputs: "a, b (rank 2)",
      attrs: "`transposeA?`, `transposeB?`",
      output: "`[m, p]` of `op(a)·op(b)`",
      gradient: "`da = g·bᵀ`, `db = aᵀ·g`. Transposed cases use the flags and never materialize a transpose.",
    },
  },
);
