import { z } from "zod";
import { ShapeError } from "../errors.js";
import type { ElementwiseRule } from "../scalar-expr.js";
import { broadcastShapes, formatShape, shapesEqual, type Shape } from "../shape.js";

/** Why `"__proto__"` is not an id, as the loaders report it. */
export const PROTO_ID_MESSAGE = `"__proto__" cannot be an id (ids become object keys, where it sets the prototype); rename it`;

/**
 * The id of a value in a step graph: an xs, a param, a carry or a node. Any non-empty string but `"__proto__"`:
 * ids become keys of records (params, states, gradients), where that one would set the prototype instead of a key.
 */
export const ValueIdSchema = z
  .string()
  .min(1)
  .refine((id) => id !== "__proto__", { message: PROTO_ID_MESSAGE });

/** Attributes of an op that has none. */
export const NoAttrs = z.object({}).strict().optional();

/** Zod schema of one node of a given op, with a fixed number of inputs. */
export function nodeSchema<K extends string, A extends z.ZodType>(op: K, arity: number | "variadic", attrs: A) {
  return z
    .object({
      /** The id of the value this node computes. */
      id: ValueIdSchema,
      /** The op. */
      op: z.literal(op),
      /** Ids of the input values, in order. */
      inputs: arity === "variadic" ? z.array(ValueIdSchema).min(1) : z.array(ValueIdSchema).length(arity),
      /** The op's attributes. */
      attrs,
    })
    .strict();
}

/**
 * The part of the graph builder that gradient rules use. Declared here, with
 * plain attribute types, so that op files do not depend on the op union.
 */
export interface VjpBuilder {
  /** `op(a) · op(b)`. */
  matmul(a: string, b: string, attrs?: { transposeA?: boolean; transposeB?: boolean }): string;
  /** `a + b`. */
  add(a: string, b: string): string;
  /** `a - b`. */
  sub(a: string, b: string): string;
  /** `a * b`. */
  mul(a: string, b: string): string;
  /** `a / b`. */
  div(a: string, b: string): string;
  /** `-x`. */
  neg(x: string): string;
  /** Heaviside step. */
  step(x: string): string;
  /** `e^x`. */
  exp(x: string): string;
  /** Softmax over the last axis. */
  softmax(x: string): string;
  /** Columns `[start, end)` of the last axis. */
  slice(x: string, start: number, end: number): string;
  /** Zero padding of the last axis. */
  pad(x: string, before: number, after: number): string;
  /** Permutes the axes: output axis i is input axis `perm[i]`. */
  transpose(x: string, perm: number[]): string;
  /** Sum over axes. */
  sum(x: string, attrs?: { axes?: number[]; keepDims?: boolean }): string;
  /** Mean over axes. */
  mean(x: string, attrs?: { axes?: number[]; keepDims?: boolean }): string;
  /** Sums `x` down to the shape of `like`. */
  sumTo(x: string, like: string): string;
  /** Broadcasts `x` to the shape of `like`. */
  broadcastTo(x: string, like: string): string;
  /** New shape, same elements. */
  reshape(x: string, shape: Shape): string;
  /** Element count along axes, as a scalar. */
  countOf(x: string, axes?: number[]): string;
  /** A scalar constant. */
  scalar(value: number): string;
  /** A constant tensor from flat row-major values. */
  constant(values: number[], shape: number[]): string;
  /** One-hot rows from class ids. */
  oneHot(classes: string, depth: number): string;
  /** Rows of a table by integer ids. */
  gather(table: string, ids: string): string;
}

/** What an op's gradient rule may use: a builder for new nodes and the shapes of known values. */
export interface VjpContext {
  /** Builder that receives the gradient nodes. */
  readonly b: VjpBuilder;
  /** Shape of any value already in the graph. */
  shape(id: string): Shape;
}

/**
 * What an op's tangent rule (JVP) may use. Forward mode carries D tangent
 * directions at once: the tangent of a value of shape `[B, ...s]` is
 * `[B, D, ...s]` (directions right after the batch axis, so rows stay
 * leading) and of an unbatched value `[...s]` it is `[D, ...s]`
 * (see {@link tangentShape}). The context is bound to one node.
 */
export interface JvpContext {
  /** Builder that receives the tangent nodes. */
  readonly b: VjpBuilder;
  /** Shape of any value already in the graph (primal or tangent). */
  shape(id: string): Shape;
  /** Number of tangent directions, D. */
  readonly directions: number;
  /** Whether input k has a tangent (false: it is constant in every direction). */
  has(k: number): boolean;
  /** The tangent of input k, in its own layout (`tangentShape` of its shape). */
  tangent(k: number): string;
  /** The tangent of input k, reshaped to broadcast against the output's tangent (for elementwise rules). */
  along(k: number): string;
  /** A primal value reshaped to broadcast against the output's tangent (or the tangent of a value of shape `like`). */
  lift(id: string, like?: Shape): string;
  /**
   * Input k is a param whose directions are its own entries (the tangent is
   * the identity, `D` = its size), not materialized until `tangent(k)` asks:
   * a rule may use the structure instead, as matmul does for RTRL.
   */
  isIdentity(k: number): boolean;
}

/** The axis of a value's tangent that holds the directions: after a leading batch axis, else first. */
export function directionAxis(shape: Shape): number {
  return shape[0] === "B" ? 1 : 0;
}

/** The shape of a value's tangent with `directions` directions: `[B, D, ...]` for a batched value, `[D, ...]` otherwise. */
export function tangentShape(shape: Shape, directions: number): Shape {
  const at = directionAxis(shape);
  return [...shape.slice(0, at), directions, ...shape.slice(at)];
}

/** What every node has, whatever its op. */
export interface NodeBase {
  /** The id of the value the node computes. */
  id: string;
  /** The op. */
  op: string;
  /** Input value ids. */
  inputs: string[];
}

/**
 * How an op's output depends on the batch rows of its inputs:
 * - `rowwise`: row i of the output depends only on row i of each input, as
 *   long as the output keeps the batch axis leading (and nowhere else); an op
 *   that combines rows then necessarily drops or moves that axis (a sum over
 *   the batch, `W · xᵀ`, a reshape across rows), which the batch-coupling
 *   check sees;
 * - `shape`: the output depends only on its input's dimensions along the
 *   node's `axes` (all by default), as a count does, so it couples rows only
 *   when those include the batch axis.
 */
export type BatchRule = "rowwise" | "shape";

/** The groups of the op set, in the order of the union and of the op table in the docs. */
export type OpGroup =
  | "linear algebra"
  | "elementwise arithmetic"
  | "elementwise nonlinearities"
  | "last-axis normalizations"
  | "last-axis layout"
  | "reductions and their adjoints"
  | "sources and plumbing"
  | "per-row losses";

/** One row of the op table in `docs/guides/graph-ir.md`, which is generated from these (markdown allowed). */
export interface OpDoc {
  /** The op's group. */
  readonly group: OpGroup;
  /** The inputs, in order, with any constraint on their shapes. */
  readonly inputs: string;
  /** The attributes; omitted when the op has none. */
  readonly attrs?: string;
  /** The output shape (and, where it is not obvious, its value). */
  readonly output: string;
  /** The gradient of each input, in terms of `g` (the output's gradient) and `y` (the output). */
  readonly gradient: string;
  /** The output's tangent, in terms of the inputs' tangents `ȧ`, `ḃ` (or `ẋ`) and `y` (the output). */
  readonly tangent: string;
}

/**
 * Everything unroll knows about one op: its node schema, its shape rule, its
 * reverse-mode gradient rule (VJP), expressed in IR ops so that backends need
 * forward kernels only, and the facts that graph passes read (fusion, hoisting,
 * batch splitting). Every field is required, so the type checker names an op
 * that lacks one.
 */
export interface OpDef<N extends NodeBase> {
  /** Zod schema of a node of this op. */
  readonly schema: z.ZodType<N>;
  /** Output shape from input shapes; throws {@link ShapeError} naming the shapes at fault. */
  shape(inputs: readonly Shape[], node: N): Shape;
  /**
   * Gradients with respect to each input, given `g`, the gradient of the node's output.
   * `null` means the input gets no gradient (an index, or a shape-only input).
   */
  vjp(ctx: VjpContext, node: N, g: string): (string | null)[];
  /**
   * The tangent of the node's output from the tangents of its inputs (forward
   * mode, D directions at once; see {@link JvpContext}), or `null` when the
   * output is constant in every direction (an index, a count, a step function).
   */
  jvp(ctx: JvpContext, node: N): string | null;
  /**
   * For an elementwise op (output element i from element i of each broadcast
   * input, no attributes), its scalar expression, from which backends generate
   * fused loops; `undefined` for every other op.
   */
  readonly elementwise: ElementwiseRule | undefined;
  /**
   * Linear in time: when every input is a sum over time steps, the output is the
   * sum over time steps of the per-step outputs, so a scan may compute it once on
   * the sums (see `splitScan`).
   */
  readonly timeLinear: boolean;
  /** How the output depends on the batch rows of the inputs. */
  readonly batch: BatchRule;
  /** Its row in the op table of `docs/guides/graph-ir.md`. */
  readonly doc: OpDoc;
}

/** Shape rule of an elementwise op: NumPy broadcasting of all inputs. */
export function broadcastRule(op: string) {
  return (inputs: readonly Shape[]): Shape => {
    let out = inputs[0];
    for (let i = 1; i < inputs.length; i++) {
      const next = broadcastShapes(out, inputs[i]);
      if (!next) {
        throw new ShapeError(`${op}: shapes ${formatShape(out)} and ${formatShape(inputs[i])} do not broadcast`);
      }
      out = next;
    }
    return out;
  };
}

/** Shape rule of a unary op: the input's shape. */
export const sameShape = (inputs: readonly Shape[]): Shape => inputs[0];

/**
 * The tangent of an elementwise op: `Σ_k ẋ_k · ∂y/∂x_k`, each partial a primal
 * value (lifted to the tangent layout) or `1` (`undefined`).
 */
export function elementwiseJvp(ctx: JvpContext, partials: readonly (string | undefined | null)[]): string | null {
  let out: string | null = null;
  partials.forEach((partial, k) => {
    if (partial === null || !ctx.has(k)) return;
    const term = partial === undefined ? ctx.along(k) : ctx.b.mul(ctx.along(k), ctx.lift(partial));
    out = out === null ? term : ctx.b.add(out, term);
  });
  return out;
}

/** Sums a broadcast gradient back down to the shape of the operand it came from. */
export function unbroadcast(ctx: VjpContext, g: string, operand: string): string {
  return shapesEqual(ctx.shape(g), ctx.shape(operand)) ? g : ctx.b.sumTo(g, operand);
}

/** Normalizes possibly negative axes against a rank, rejecting out-of-range ones. */
export function normalizeAxes(axes: readonly number[] | undefined, rank: number, op: string): number[] {
  if (axes === undefined) return [...Array(rank).keys()];
  return axes.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) throw new ShapeError(`${op}: axis ${a} is out of range for rank ${rank}`);
    return n;
  });
}

/** The shape a reduction keeps when `keepDims` is set: reduced axes become 1. */
export function keptShape(shape: Shape, axes: readonly number[]): Shape {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** The last dimension of a shape, which must be a fixed size. */
export function lastDim(shape: Shape, op: string): number {
  const d = shape[shape.length - 1];
  if (typeof d !== "number") throw new ShapeError(`${op}: needs a fixed last dimension, got ${formatShape(shape)}`);
  return d;
}

/** Builds an {@link OpDef}, inferring its node type from the schema. */
export function defineOp<S extends z.ZodType<NodeBase>>(
  schema: S,
  rules: Omit<OpDef<z.infer<S>>, "schema">,
): Omit<OpDef<z.infer<S>>, "schema"> & { readonly schema: S } {
  return { schema, ...rules };
}
