import { z } from "zod";
import { ShapeError } from "../errors.js";
import { formatShape, type Dim } from "../shape.js";
import { defineOp, lastDim, nodeSchema } from "./define.js";
import { CountSchema } from "../size.js";

/** Columns `start` (inclusive) to `end` (exclusive) of the last axis. */
export const slice = defineOp(
  nodeSchema(
    "slice",
    1,
    z
      .object({
        /** First column, inclusive. */
        start: CountSchema,
        /** Last column, exclusive. */
        end: CountSchema,
      })
      .strict(),
  ),
  {
    shape: ([x], n) => {
      const width = lastDim(x, "slice");
      const { start, end } = n.attrs;
      if (!(start < end && end <= width)) {
        throw new ShapeError(`slice: range [${start}, ${end}) does not fit the last axis of ${formatShape(x)}`);
      }
      return [...x.slice(0, -1), end - start] as Dim[];
    },
    vjp: (ctx, n, g) => {
      const width = lastDim(ctx.shape(n.inputs[0]), "slice");
      return [ctx.b.pad(g, n.attrs.start, width - n.attrs.end)];
    },
    jvp: (ctx, n) => ctx.b.slice(ctx.tangent(0), n.attrs.start, n.attrs.end),
    elementwise: undefined,
    timeLinear: true,
    batch: "rowwise",
    doc: {
      group: "last-axis layout",
      inputs: "x",
      attrs: "`start`, `end` (`0 ≤ start < end ≤ width`)",
      output: "`[..., end − start]`",
      gradient: "`pad(g, start, width − end)`",
      tangent: "`slice(ẋ)`",
    },
  },
);
