import { z } from "zod";

/** Attributes of the reductions `sum` and `mean`: axes (default all, negative counts from the end) and keepDims. */
export const ReduceAttrs = z
  .object({ axes: z.array(z.number().int()).optional(), keepDims: z.boolean().optional() })
  .strict()
  .optional();
