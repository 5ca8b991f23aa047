import { z } from "zod";
import { ShapeError } from "../errors.js";
import { formatShape, type Dim, type Shape } from "../shape.js";
import { defineOp, nodeSchema } from "./define.js";

const DimSchema = z.union([z.number().int().min(0), z.literal("B")]);

/** Product of the fixed dimensions, and how many times `"B"` occurs. */
function measure(shape: Shape): { fixed: number; batch: number } {
  let fixed = 1;
  let batch = 0;
  for (const d of shape) {
    if (d === "B") batch++;
    else fixed *= d;
  }
  return { fixed, batch };
}

/** Same elements, new shape. `"B"` in the target stands for the batch size. */
export const reshape = defineOp(
  nodeSchema(
    "reshape",
    1,
    z
      .object({
        /** Target shape; `"B"` for the batch. */
        shape: z.array(DimSchema),
      })
      .strict(),
  ),
  {
    shape: ([x], n) => {
      const from = measure(x);
      const to = measure(n.attrs.shape);
      if (from.fixed !== to.fixed || from.batch !== to.batch) {
        throw new ShapeError(`reshape: cannot reshape ${formatShape(x)} to ${formatShape(n.attrs.shape)}`);
      }
      return n.attrs.shape as Dim[];
    },
    vjp: ({ b, shape }, n, g) => [b.reshape(g, shape(n.inputs[0]))],
    elementwise: undefined,
    timeLinear: true,
    batch: "rowwise",
    doc: {
      group: "reductions and their adjoints",
      inputs: "x",
      attrs: '`shape` (sizes ≥ 0 or `"B"`)',
      output: '`shape` (same fixed-size product and number of `"B"`)',
      gradient: "`reshape(g, shape of x)`",
    },
  },
);
