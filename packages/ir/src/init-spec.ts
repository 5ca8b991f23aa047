import { z } from "zod";
import { ShapeError } from "./errors.js";
import { formatShape } from "./shape.js";

const finite = z.number().refine(Number.isFinite, { message: "must be a finite number" });
const positive = z.number().positive().refine(Number.isFinite, { message: "must be a finite number" });

/** Each element uniform in `[low, high)`. */
const UniformInit = z
  .object({
    /** The initializer. */
    kind: z.literal("uniform"),
    /** The lower bound. */
    low: finite,
    /** The upper bound, above `low`. */
    high: finite,
  })
  .strict();
/** Each element normal with mean `mean` (default 0) and standard deviation `std`. */
const NormalInit = z
  .object({
    /** The initializer. */
    kind: z.literal("normal"),
    /** The mean, 0 by default. */
    mean: finite.optional(),
    /** The standard deviation, above 0. */
    std: positive,
  })
  .strict();
/** Every element `value`. */
const ConstantInit = z
  .object({
    /** The initializer. */
    kind: z.literal("constant"),
    /** The value of every element. */
    value: finite,
  })
  .strict();
/** Every element 0. */
const ZerosInit = z
  .object({
    /** The initializer. */
    kind: z.literal("zeros"),
  })
  .strict();
/** Glorot (Xavier) uniform: `gain·sqrt(6 / (fan_in + fan_out))` bound, fan_in the rows, fan_out the columns of a matrix. */
const GlorotUniformInit = z
  .object({
    /** The initializer. */
    kind: z.literal("glorotUniform"),
    /** Scales the bound, 1 by default. */
    gain: positive.optional(),
  })
  .strict();
/** A random matrix with orthonormal columns (rows when wider than tall), times `gain` (default 1); matrices only. */
const OrthogonalInit = z
  .object({
    /** The initializer. */
    kind: z.literal("orthogonal"),
    /** Scales the matrix, 1 by default. */
    gain: positive.optional(),
  })
  .strict();

/** The initializers that fill a whole tensor (or one block of a `blocks` initializer). */
export const LeafInitSchema = z.discriminatedUnion("kind", [UniformInit, NormalInit, ConstantInit, ZerosInit, GlorotUniformInit, OrthogonalInit]);

/**
 * Block-wise initialization: the last axis is cut into `blocks.length` equal
 * column blocks, each filled by its own initializer, as an LSTM's gates
 * `i, f, g, o` side by side (`[..., 4H]`) with the forget gate's bias 1.
 */
const BlocksInit = z
  .object({
    /** The initializer. */
    kind: z.literal("blocks"),
    /** One initializer per block, in order along the last axis. */
    blocks: z.array(LeafInitSchema).min(1),
  })
  .strict();

/**
 * How one parameter is initialized, as JSON:
 * `{ "kind": "uniform", "low", "high" }`, `{ "kind": "normal", "mean"?, "std" }`,
 * `{ "kind": "constant", "value" }`, `{ "kind": "zeros" }`,
 * `{ "kind": "glorotUniform", "gain"? }`, `{ "kind": "orthogonal", "gain"? }`
 * or `{ "kind": "blocks", "blocks": [...] }` (equal column blocks of the last axis).
 */
export const InitializerSchema = z.discriminatedUnion("kind", [
  UniformInit,
  NormalInit,
  ConstantInit,
  ZerosInit,
  GlorotUniformInit,
  OrthogonalInit,
  BlocksInit,
]);

/** An initializer of one parameter; see {@link InitializerSchema}. */
export type Initializer = z.infer<typeof InitializerSchema>;
/** An initializer that is not block-wise. */
export type LeafInitializer = z.infer<typeof LeafInitSchema>;

/** The initializers of some parameters of a program, by param id; the others get the default. */
export const ParamInitsSchema = z.record(z.string(), InitializerSchema);

/** Initializers by param id; see {@link ParamInitsSchema}. */
export type ParamInits = z.infer<typeof ParamInitsSchema>;

/** The shape of one block of a block-wise initializer: the last axis divided by the number of blocks. */
export function blockShape(shape: readonly number[], blocks: number): number[] {
  const last = shape[shape.length - 1];
  return [...shape.slice(0, -1), last / blocks];
}

/** Throws a {@link ShapeError} when `init` cannot fill a tensor of this shape, saying what it needs. */
export function checkInitFits(init: Initializer, shape: readonly number[]): void {
  if (init.kind === "uniform" && !(init.low < init.high)) {
    throw new ShapeError(`uniform needs low < high, got low ${init.low} and high ${init.high}`);
  }
  if (init.kind === "orthogonal" && shape.length !== 2) {
    throw new ShapeError(`orthogonal fills matrices only, not shape ${formatShape([...shape])}`);
  }
  if (init.kind === "blocks") {
    const last = shape[shape.length - 1];
    if (last === undefined || last % init.blocks.length !== 0) {
      throw new ShapeError(`${init.blocks.length} blocks need a last axis divisible by ${init.blocks.length}, not shape ${formatShape([...shape])}`);
    }
    for (const block of init.blocks) checkInitFits(block, blockShape(shape, init.blocks.length));
  }
}
