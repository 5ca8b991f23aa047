import { z } from "zod";
import { ValueIdSchema } from "./ops/define.js";
import { NodeSchema } from "./ops/index.js";
import { SizeSchema } from "./size.js";
import { DropoutDeclSchema } from "./dropout.js";

/** The version tag of a step graph document. */
export const GRAPH_FORMAT = "unroll.graph/1";

/** A dimension in a declared shape: a positive size or `"B"`, the batch. */
export const DimSchema = z.union([SizeSchema, z.literal("B")]);

/** A per-step sequence input: at step t the graph sees `xs[t]`, shape `["B", ...]`. */
export const XsDeclSchema = z
  .object({
    /** The sequence's name. */
    id: ValueIdSchema,
    /** Per-step shape, `["B", ...]`. */
    shape: z.array(DimSchema).min(1),
  })
  .strict();

/** A parameter (weight), the same at every step; fixed shape without a batch axis. */
export const ParamDeclSchema = z
  .object({
    /** The parameter's name, e.g. `layers.0.W_in`. */
    id: ValueIdSchema,
    /** Its shape. */
    shape: z.array(SizeSchema),
  })
  .strict();

/**
 * Recurrent state carried from step to step, shape `["B", ...]`. Its initial
 * value is `init` in every element (0 by default) unless the data gives one.
 */
export const CarryDeclSchema = z
  .object({
    /** The state's name, e.g. `layers.0.h`. */
    id: ValueIdSchema,
    /** Its shape, `["B", ...]`. */
    shape: z.array(DimSchema).min(1),
    /** Initial value of every element (default 0). */
    init: z.number().optional(),
  })
  .strict();

/** A per-step output: the sequence `id` collects the value `value` at every step. */
export const YsDeclSchema = z
  .object({
    /** The output sequence's name. */
    id: ValueIdSchema,
    /** The value collected at each step. */
    value: ValueIdSchema,
  })
  .strict();

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
    /** Version tag, `"unroll.graph/1"`. */
    format: z.literal(GRAPH_FORMAT),
    /** A name for messages and pictures. */
    name: z.string().optional(),
    /** Per-step sequence inputs. */
    xs: z.array(XsDeclSchema),
    /** Parameters, the same at every step. */
    params: z.array(ParamDeclSchema),
    /** Recurrent state. */
    carry: z.array(CarryDeclSchema),
    /** The nodes, in any order; validation sorts them. */
    nodes: z.array(NodeSchema),
    /** Per-step outputs. */
    ys: z.array(YsDeclSchema),
    /** For each carry id, the value that becomes that carry at the next step. */
    update: z.record(ValueIdSchema, ValueIdSchema),
    /** A per-row loss `[B]`; the scheduler averages it over rows and steps. */
    loss: ValueIdSchema.optional(),
    /** Dropout masks among the xs, which the scheduler fills (see {@link DropoutDeclSchema}). */
    dropout: z.array(DropoutDeclSchema).optional(),
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
