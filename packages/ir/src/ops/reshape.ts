import { z } from "zod";
import { ShapeError } from "../errors.js";
import { formatShape, type Dim, type Shape } from "../shape.js";
import { defineOp, directionAxis, nodeSchema, tangentShape } from "./define.js";
import { moveAxis } from "./tangent-layout.js";
import { CountSchema } from "../size.js";

const DimSchema = z.union([CountSchema, z.literal("B")]);

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
    jvp: ({ b, shape, tangent, directions }, n) => {
      const x = shape(n.inputs[0]);
      const y = shape(n.id);
      // rows stay rows when both shapes lead with the batch: reshape each row's directions in place
      if (directionAxis(x) === directionAxis(y)) return b.reshape(tangent(0), tangentShape(y, directions));
      const first = moveAxis(b, shape, tangent(0), directionAxis(x), 0);
      return moveAxis(b, shape, b.reshape(first, [directions, ...y]), 0, directionAxis(y));
    },
    elementwise: undefined,
    timeLinear: true,
    batch: "rowwise",
    doc: {
      group: "reductions and their adjoints",
      inputs: "x",
      attrs: '`shape` (sizes ≥ 0 or `"B"`)',
      output: '`shape` (same fixed-size product and number of `"B"`)',
      gradient: "`reshape(g, shape of x)`",
      tangent: "`reshape(ẋ)`",
    },
  },
);
