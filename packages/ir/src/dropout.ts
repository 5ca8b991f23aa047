import { z } from "zod";
import { GraphError } from "./errors.js";
import { ValueIdSchema } from "./ops/define.js";
import { formatShape, type Shape } from "./shape.js";

/** What a dropout rate may be. */
const RATE_RANGE = "a dropout rate is the fraction of elements dropped, in [0, 1)";

/** A dropout rate: a number in [0, 1). */
export const DropoutRateSchema = z.number().superRefine((rate, ctx) => {
  if (!(rate >= 0 && rate < 1)) ctx.addIssue({ code: "custom", message: `${RATE_RANGE}, got ${rate}` });
});

/**
 * A dropout mask of a step graph. The mask is the per-step input (xs) `id`,
 * which the scheduler fills, so the graph itself stays deterministic: in
 * training each element is `1/(1-rate)` with probability `1-rate` and 0
 * otherwise; in evaluation every element is 1. A variational mask is the same
 * at every step of a sequence (Gal & Ghahramani), as Keras' `recurrent_dropout`.
 */
export const DropoutDeclSchema = z
  .object({
    /** The xs that holds the mask, shape `["B", ...]`. */
    id: ValueIdSchema,
    /** Fraction of elements dropped, in [0, 1). */
    rate: DropoutRateSchema,
    /** One mask for every step of a sequence instead of a new one per step (default false). */
    variational: z.boolean().optional(),
  })
  .strict();

/** A declared dropout mask; see {@link DropoutDeclSchema}. */
export type DropoutDecl = z.infer<typeof DropoutDeclSchema>;

/** Options of `GraphBuilder.dropout`. */
export interface DropoutOptions {
  /** One mask for every step of a sequence instead of a new one per step (default false). */
  readonly variational?: boolean;
  /** The mask's name, a data sequence name unique in the program (default `dropout.${k}` for the builder's k-th mask). */
  readonly id?: string;
}

/** Throws unless `rate` is a dropout rate in [0, 1); `who` names the field in the message. */
export function checkDropoutRate(rate: number, who: string): void {
  if (!(typeof rate === "number" && rate >= 0 && rate < 1)) throw new GraphError("", `${who}: ${RATE_RANGE}, got ${rate}`);
}

/** Checks that every dropout mask of a graph is one of its xs, once, with a batch axis. */
export function checkDropoutDecls(decls: readonly DropoutDecl[], xs: readonly { id: string; shape: Shape }[], p: string): void {
  const seen = new Set<string>();
  decls.forEach((d, i) => {
    const x = xs.find((s) => s.id === d.id);
    if (!x) {
      throw new GraphError(`${p}dropout[${i}].id`, `dropout mask "${d.id}" is not an xs of this graph (xs: ${xs.map((s) => s.id).join(", ") || "none"})`);
    }
    if (seen.has(d.id)) throw new GraphError(`${p}dropout[${i}].id`, `dropout mask "${d.id}" is declared twice`);
    seen.add(d.id);
    if (x.shape[0] !== "B") throw new GraphError(`${p}dropout[${i}].id`, `dropout mask "${d.id}" must have shape ["B", ...], got ${formatShape(x.shape)}`);
  });
}
