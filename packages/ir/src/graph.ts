import { z } from "zod";
import { ValueIdSchema } from "./ops/define.js";
import { NodeSchema } from "./ops/index.js";

/** The version tag of a step graph document. */
export const GRAPH_FORMAT = "unroll.graph/1";

/** A dimension in a declared shape: a positive size or `"B"`, the batch. */
export const DimSchema = z.union([z.number().int().min(1), z.literal("B")]);

/** A per-step sequence input: at step t the graph sees `xs[t]`, shape `["B", ...]`. */
export const XsDeclSchema = z.object({ id: ValueIdSchema, shape: z.array(DimSchema).min(1) }).strict();

/** A parameter (weight), the same at every step; fixed shape without a batch axis. */
export const ParamDeclSchema = z.object({ id: ValueIdSchema, shape: z.array(z.number().int().min(1)) }).strict();

/**
 * Recurrent state carried from step to step, shape `["B", ...]`. Its initial
 * value is `init` in every element (0 by default) unless the data gives one.
 */
export const CarryDeclSchema = z
  .object({ id: ValueIdSchema, shape: z.array(DimSchema).min(1), init: z.number().optional() })
  .strict();

/** A per-step output: the sequence `id` collects the value `value` at every step. */
export const YsDeclSchema = z.object({ id: ValueIdSchema, value: ValueIdSchema }).strict();

/**
 * One time step of a recurrent network, as plain JSON data:
 * `(params, carry_{t-1}, xs_t) -> (carry_t, ys_t, loss_t)`. As a reference loop:
 *
 * ```
 * carry = init
 * for t in 0..T-1:
 *   values = run(nodes, params, carry, xs[t])
 *   ys[t] = values[ys.value]; loss += values[loss]
 *   carry = values[update[c]] for each carry c
 * ```
 */
export const StepGraphSchema = z
  .object({
    format: z.literal(GRAPH_FORMAT),
    name: z.string().optional(),
    xs: z.array(XsDeclSchema),
    params: z.array(ParamDeclSchema),
    carry: z.array(CarryDeclSchema),
    nodes: z.array(NodeSchema),
    ys: z.array(YsDeclSchema),
    /** For each carry id, the value that becomes that carry at the next step. */
    update: z.record(ValueIdSchema, ValueIdSchema),
    /** A per-row loss `[B]`; the scheduler averages it over rows and steps. */
    loss: ValueIdSchema.optional(),
  })
  .strict();

/** A step graph; see {@link StepGraphSchema}. */
export type StepGraph = z.infer<typeof StepGraphSchema>;
/** A declared per-step input. */
export type XsDecl = z.infer<typeof XsDeclSchema>;
/** A declared parameter. */
export type ParamDecl = z.infer<typeof ParamDeclSchema>;
/** A declared carry. */
export type CarryDecl = z.infer<typeof CarryDeclSchema>;
/** A declared per-step output. */
export type YsDecl = z.infer<typeof YsDeclSchema>;
