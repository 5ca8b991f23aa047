import { z } from "zod";
import { type Dim } from "../shape.js";
import { defineOp, lastDim, nodeSchema } from "./define.js";
import { CountSchema } from "../size.js";

/** Zero padding of the last axis: `before` zeros, the input, then `after` zeros. The gradient of {@link slice}. */
export const pad = defineOp(
  nodeSchema(
    "pad",
    1,
    z
      .object({
        /** Zeros before. */
        before: CountSchema,
        /** Zeros after. */
        after: CountSchema,
      })
      .strict(),
  ),
  {
    shape: ([x], n) => [...x.slice(0, -1), lastDim(x, "pad") + n.attrs.before + n.attrs.after] as Dim[],
    vjp: (ctx, n, g) => {
      const width = lastDim(ctx.shape(n.inputs[0]), "pad");
      return [ctx.b.slice(g, n.attrs.before, n.attrs.before + width)];
    },
    jvp: (ctx, n) => ctx.b.pad(ctx.tangent(0), n.attrs.before, n.attrs.after),
    elementwise: undefined,
    timeLinear: true,
    batch: "rowwise",
    doc: {
      group: "last-axis layout",
      inputs: "x",
      attrs: "`before`, `after` (≥ 0)",
      output: "`[..., before + width + after]` (zeros)",
      gradient: "`slice(g, before, before + width)`",
      tangent: "`pad(ẋ)`",
    },
  },
);
