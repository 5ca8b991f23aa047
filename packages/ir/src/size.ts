import { z } from "zod";

/**
 * A size read from a document (a width, a hidden size, a dimension): a positive
 * whole number no larger than `Number.MAX_SAFE_INTEGER`, so that counts of
 * elements computed from it stay exact. Zero, negatives, fractions, NaN and
 * Infinity are refused with the field's path.
 */
export const SizeSchema = z.number().superRefine((n, ctx) => {
  if (!(Number.isSafeInteger(n) && n >= 1)) {
    ctx.addIssue({ code: "custom", message: `a size must be a positive whole number no larger than ${Number.MAX_SAFE_INTEGER}, got ${n}` });
  }
});

/** Like {@link SizeSchema} but zero is allowed: an offset or an amount of padding. */
export const CountSchema = z.number().superRefine((n, ctx) => {
  if (!(Number.isSafeInteger(n) && n >= 0)) {
    ctx.addIssue({ code: "custom", message: `must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got ${n}` });
  }
});
