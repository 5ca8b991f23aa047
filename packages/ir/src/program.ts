import { z } from "zod";
import { StepGraphSchema } from "./graph.js";
import { ParamInitsSchema } from "./init-spec.js";
import { ValueIdSchema } from "./ops/define.js";

/** The version tag of a program document. */
export const PROGRAM_FORMAT = "unroll.program/1";

/**
 * One scan over time: a step graph run forward (t = 0..T-1) or in reverse
 * (t = T-1..0). Its xs are sequences of the data or ys of earlier stages, by id.
 */
export const StageSchema = z
  .object({
    /** The step graph scanned by this stage. */
    graph: StepGraphSchema,
    /** Scan from the last step to the first. */
    reverse: z.boolean().optional(),
  })
  .strict();

/**
 * A recurrent network as a chain of scans over the same time axis. Most models
 * are one stage; a bidirectional layer needs a forward and a reverse scan before
 * the layers above it can run. Sequence names are shared: a stage's `xs` id names
 * a data sequence (`x`, `y`, ...) or an earlier stage's `ys` id.
 */
export const ProgramSchema = z
  .object({
    /** Version tag, `"unroll.program/1"`. */
    format: z.literal(PROGRAM_FORMAT),
    /** The scans, in order. */
    stages: z.array(StageSchema).min(1),
    /** The sequence reported as the model's outputs. */
    output: ValueIdSchema,
    /** Optional initializers of some params, by param id; `initParams` gives the others its default. */
    init: ParamInitsSchema.optional(),
  })
  .strict();

/** A program; see {@link ProgramSchema}. */
export type Program = z.infer<typeof ProgramSchema>;
/** One stage of a program. */
export type Stage = z.infer<typeof StageSchema>;
