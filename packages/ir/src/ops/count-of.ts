import { z } from "zod";
import { defineOp, nodeSchema, normalizeAxes } from "./define.js";

/** Number of elements of its input along `axes` (all by default), as a scalar. Depends on the shape only. */
export const countOf = defineOp(
  nodeSchema("countOf", 1, z.object({
      /** Axes to count; all by default. */
      axes: z.array(z.number().int()).optional(),
    }).strict().optional()),
  {
    shape: ([x], n) => (normalizeAxes(n.attrs?.axes, x.length, "countOf"), []),
    vjp: () => [null],
  },
);
