import { z } from "zod";
import { ShapeError } from "../errors.js";
import { formatShape, shapesEqual, type Shape } from "../shape.js";
import { defineOp, directionAxis, nodeSchema, type VjpBuilder } from "./define.js";
import { einsum } from "./tangent-layout.js";

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
    jvp: (ctx, n) => {
      const { b, shape } = ctx;
      const [x, y] = n.inputs;
      const tA = n.attrs?.transposeA ?? false;
      const tB = n.attrs?.transposeB ?? false;
      const [sa, sb, so] = [shape(x), shape(y), shape(n.id)];
      // axis labels of the matrix views: rows r…, inner k, columns p; with transposeA the leading axes c… are contracted
      const lead = (s: Shape, p: string): string[] => s.slice(0, -1).map((_, i) => `${p}${i}`);
      const [la, lb, lo] = !tA
        ? [[...lead(sa, "r"), "k"], tB ? ["p", "k"] : ["k", "p"], [...lead(sa, "r"), "p"]]
        : !tB
          ? [
              [...lead(sa, "c"), "m"],
              [...lead(sb, "c"), "p"],
              ["m", "p"],
            ]
          : [
              ["c0", "m"],
              ["p", "c0"],
              ["m", "p"],
            ];
      const withD = (labels: string[], s: Shape): string[] => [...labels.slice(0, directionAxis(s)), "D", ...labels.slice(directionAxis(s))];
      const terms: string[] = [];
      if (ctx.has(0)) {
        // ȧ·b: a stack of rows times b when a's rows lead, else by broadcasting
        terms.push(!tA ? b.matmul(ctx.tangent(0), y, { transposeB: tB }) : einsum(b, shape, ctx.tangent(0), withD(la, sa), y, lb, withD(lo, so)));
      }
      if (ctx.has(1)) {
        if (ctx.isIdentity(1) && !tA && sa.length === 2 && sa[0] === "B") {
          // direction (i, j) of W is x[:, i] in column j: an outer product with the identity, never a dense seed (RTRL's immediate term)
          const k = sa[1] as number;
          const p = so[1] as number;
          const eye = identityMatrix(b, p);
          terms.push(
            tB
              ? b.reshape(b.mul(b.reshape(x, ["B", 1, k, 1]), b.reshape(eye, [p, 1, p])), ["B", p * k, p])
              : b.reshape(b.mul(b.reshape(x, ["B", k, 1, 1]), eye), ["B", k * p, p]),
          );
        } else {
          terms.push(einsum(b, shape, x, la, ctx.tangent(1), withD(lb, sb), withD(lo, so)));
        }
      }
      return terms.length === 2 ? b.add(terms[0], terms[1]) : terms[0];
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
      tangent: "`ȧ·b + a·ḃ`; a param seeded with the identity (RTRL) as an outer product with `I`, never a dense seed",
    },
  },
);

/** The `n × n` identity matrix, as one-hot rows of the constant ids `0…n-1`. */
export function identityMatrix(b: VjpBuilder, n: number): string {
  return b.oneHot(b.constant([...Array(n).keys()], [n]), n);
}
