import { z } from "zod";
import { defineOp, nodeSchema, normalizeAxes } from "./define.js";

/** Number of elements of its input along `axes` (all by default), as a scalar. Depends on the shape only. */
export const countOf = defineOp(
  nodeSchema(
    "countOf",
    1,
    z
      .object({
        /** Axes to count; all by default. */
        axes: z.array(z.number().int()).optional(),
      })
      .strict()
      .optional(),
  ),
  {
    shape: ([x], n) => (normalizeAxes(n.attrs?.axes, x.length, "countOf"), []),
    vjp: () => [null],
    jvp: () => null,
    elementwise: undefined,
    // a count, not a sum: over L steps the per-step counts add up to L times the count
    timeLinear: false,
    // its value is x's shape, not x's rows: it couples rows only if it counts the batch axis
    batch: "shape",
    doc: {
      group: "reductions and their adjoints",
      inputs: "x",
      attrs: "`axes?`",
      output: "`[]`: product of x's dimensions along the axes, read at run time",
      gradient: "none (reads only the shape)",
      tangent: "none",
    },
  },
);
