import { z } from "zod";
import { ShapeError } from "../errors.js";
import { formatShape, type Dim } from "../shape.js";
import { defineOp, nodeSchema } from "./define.js";
import { SizeSchema } from "../size.js";

/** One-hot rows `[..., depth]` from integer class ids (stored as numbers). */
export const oneHot = defineOp(
  nodeSchema(
    "oneHot",
    1,
    z
      .object({
        /** Number of classes. */
        depth: SizeSchema,
      })
      .strict(),
  ),
  {
    shape: ([x], n) => {
      if (x.length !== 1) throw new ShapeError(`oneHot: class ids must have shape [B], got ${formatShape(x)}`);
      return [...x, n.attrs.depth] as Dim[];
    },
    vjp: () => [null],
    jvp: () => null,
    elementwise: undefined,
    timeLinear: false,
    batch: "rowwise",
    doc: { group: "sources and plumbing", inputs: "class ids `[n]`", attrs: "`depth` ≥ 1", output: "`[n, depth]`", gradient: "none", tangent: "none" },
  },
);
