import { ShapeError } from "../errors.js";
import { formatShape, shapesEqual, type Dim } from "../shape.js";
import { defineOp, lastDim, NoAttrs, nodeSchema } from "./define.js";

/** Concatenation along the last axis. All other dimensions must agree. */
export const concat = defineOp(nodeSchema("concat", "variadic", NoAttrs), {
  shape: (inputs) => {
    const head = inputs[0].slice(0, -1);
    let width = 0;
    for (const s of inputs) {
      if (!shapesEqual(s.slice(0, -1), head)) {
        throw new ShapeError(`concat: shapes ${formatShape(inputs[0])} and ${formatShape(s)} differ before the last axis`);
      }
      width += lastDim(s, "concat");
    }
    return [...head, width] as Dim[];
  },
  vjp: (ctx, n, g) => {
    let offset = 0;
    return n.inputs.map((x) => {
      const width = lastDim(ctx.shape(x), "concat");
      const part = ctx.b.slice(g, offset, offset + width);
      offset += width;
      return part;
    });
  },
  jvp: (ctx, n) => {
    // each input's tangent padded to its columns of the output
    const total = lastDim(ctx.shape(n.id), "concat");
    let offset = 0;
    let out: string | null = null;
    n.inputs.forEach((x, k) => {
      const width = lastDim(ctx.shape(x), "concat");
      if (ctx.has(k)) {
        const part = width === total ? ctx.tangent(k) : ctx.b.pad(ctx.tangent(k), offset, total - offset - width);
        out = out === null ? part : ctx.b.add(out, part);
      }
      offset += width;
    });
    return out;
  },
  elementwise: undefined,
  timeLinear: true,
  batch: "rowwise",
  doc: {
    group: "last-axis layout",
    inputs: "x₁…xₙ (n ≥ 1), equal except the last axis",
    output: "`[..., Σ widths]`",
    gradient: "slices of g",
    tangent: "`concat(ẋ₁…ẋₙ)`",
  },
});
