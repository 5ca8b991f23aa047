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
  elementwise: undefined,
  timeLinear: true,
  batch: "rowwise",
  doc: {
    group: "last-axis layout",
    inputs: "x₁…xₙ (n ≥ 1), equal except the last axis",
    output: "`[..., Σ widths]`",
    gradient: "slices of g",
  },
});
