import { z } from "zod";

/** Attributes of the reductions `sum` and `mean`: axes (default all, negative counts from the end) and keepDims. */
export const ReduceAttrs = z
  .object({
    /** Axes to reduce; all by default. */
    axes: z.array(z.number().int()).optional(),
    /** Keep reduced axes as size 1. */
    keepDims: z.boolean().optional(),
  })
  .strict()
  .optional();
