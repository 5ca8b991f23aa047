import { formatShape, type Node, type NodeOf, type OpKind, type Shape } from "@unroll/ir";
import { attr } from "../onnx/onnx-attributes.js";
import { OnnxDataType, type OnnxAttribute, type OnnxTensor } from "../onnx/onnx-messages.js";
import { onnxTensor, type OnnxTensorType } from "../onnx/onnx-tensor.js";
import type { OnnxGraphWriter } from "./graph-writer.js";

/** What an op's rule sees of the node it writes: its inputs as ONNX values, their shapes, and the writer. */
export interface StepOpContext {
  /** The writer of the Scan body. */
  readonly w: OnnxGraphWriter;
  /** The ONNX value of input k. */
  input(k: number): string;
  /** Our shape of input k. */
  shape(k: number): Shape;
  /** Input k as int64 ids: itself when it is already int64, a `Cast` of it otherwise. */
  ids(k: number): string;
  /** Writes the node that produces the op's value (its last node); returns the value's name. */
  emit(opType: string, inputs: readonly string[], attributes?: OnnxAttribute[]): string;
  /** Writes an intermediate node under a fresh name; returns that name. */
  temp(opType: string, inputs: readonly string[], attributes?: OnnxAttribute[]): string;
  /** A `Constant` node of any element type. */
  constant(dims: readonly number[], values: ArrayLike<number>, type: OnnxTensorType): string;
  /** A 1-D int64 constant. */
  int64s(values: readonly number[]): string;
  /** A scalar int64 constant. */
  int64(value: number): string;
  /** A scalar of the float element type. */
  scalar(value: number): string;
}

/** Writes the ONNX nodes of one of our ops; the last one it writes produces the node's value ({@link StepOpContext.emit}). */
export type StepOpRule<N extends Node> = (ctx: StepOpContext, node: N) => void;

const unary =
  (opType: string): StepOpRule<Node> =>
  (ctx) =>
    ctx.emit(opType, [ctx.input(0)]);
const binary =
  (opType: string): StepOpRule<Node> =>
  (ctx) =>
    ctx.emit(opType, [ctx.input(0), ctx.input(1)]);
const lastAxis = [attr.int("axis", -1)];

/** `reduceOp` over `axes` (all when absent), as ReduceSum (axes an input) or ReduceMean (axes an attribute, opset 17). */
function reduce(ctx: StepOpContext, op: "ReduceSum" | "ReduceMean", axes: readonly number[] | undefined, keepDims: boolean): void {
  const keep = attr.int("keepdims", keepDims ? 1 : 0);
  if (op === "ReduceSum") ctx.emit(op, axes === undefined ? [ctx.input(0)] : [ctx.input(0), ctx.int64s(axes)], [keep]);
  else ctx.emit(op, [ctx.input(0)], axes === undefined ? [keep] : [attr.ints("axes", axes), keep]);
}

/**
 * The Einsum equation of `aᵀ·b` (a's leading axes contracted with b's, `"abm,abp->mp"` for rank 3) or, with b
 * transposed too (both rank 2), `"km,pk->mp"`. ONNX Runtime does not sum over an ellipsis, so the axes are spelled out.
 */
export function transposedEquation(rank: number, transposeB: boolean): string {
  if (transposeB) return "km,pk->mp";
  const letters = "abcdefghijkl";
  if (rank - 1 > letters.length) throw new Error(`a transposed matmul of rank ${rank} needs more Einsum letters than the export spells`);
  const lead = letters.slice(0, rank - 1);
  return `${lead}m,${lead}p->mp`;
}

/**
 * ONNX Reshape's target for ours: a fixed size as it is, `"B"` as 0 (copy the input's dimension) where the input has
 * the batch at the same index, or as -1 (inferred) for one other; what neither expresses is an error, and so is a
 * dimension of size 0 (which ONNX reads as a copy).
 */
function reshapeTarget(from: Shape, to: Shape): number[] {
  const inferred = to.filter((d, i) => d === "B" && from[i] !== "B").length;
  if (to.includes(0)) throw new Error(`ONNX Reshape reads a size 0 as "copy the input's dimension", so it cannot express ${formatShape(to)}`);
  if (inferred > 1) {
    throw new Error(
      `ONNX Reshape cannot express ${formatShape(from)} to ${formatShape(to)}: it copies a dimension (0) only at the same index and infers (-1) only one`,
    );
  }
  return to.map((d, i) => (d !== "B" ? d : from[i] === "B" ? 0 : -1));
}

/**
 * The ONNX nodes of every op of our op set, keyed by op: the type makes a missing op a compile error. The semantics
 * are the CPU kernels' (`packages/kernels-cpu/src/`); where ONNX has no single operator, the rule writes a few.
 */
export const stepOps: { readonly [K in OpKind]: StepOpRule<NodeOf<K>> } = {
  matmul: (ctx, node) => {
    const tA = node.attrs?.transposeA ?? false;
    const tB = node.attrs?.transposeB ?? false;
    // aᵀ·b contracts a's leading axes with b's (a stack of rows each): Einsum says so without reshapes
    if (tA) return void ctx.emit("Einsum", [ctx.input(0), ctx.input(1)], [attr.string("equation", transposedEquation(ctx.shape(0).length, tB))]);
    ctx.emit("MatMul", [ctx.input(0), tB ? ctx.temp("Transpose", [ctx.input(1)], [attr.ints("perm", [1, 0])]) : ctx.input(1)]);
  },
  add: binary("Add"),
  sub: binary("Sub"),
  mul: binary("Mul"),
  div: binary("Div"),
  neg: unary("Neg"),
  tanh: unary("Tanh"),
  sigmoid: unary("Sigmoid"),
  relu: unary("Relu"),
  // 1 where x > 0, else 0 (NaN too)
  step: (ctx) => ctx.emit("Cast", [ctx.temp("Greater", [ctx.input(0), ctx.scalar(0)])], [attr.int("to", ctx.w.floatType)]),
  exp: unary("Exp"),
  log: unary("Log"),
  rsqrt: (ctx) => ctx.emit("Pow", [ctx.input(0), ctx.scalar(-0.5)]),
  softmax: (ctx) => ctx.emit("Softmax", [ctx.input(0)], lastAxis),
  logSoftmax: (ctx) => ctx.emit("LogSoftmax", [ctx.input(0)], lastAxis),
  concat: (ctx, node) =>
    ctx.emit(
      "Concat",
      node.inputs.map((_, k) => ctx.input(k)),
      lastAxis,
    ),
  slice: (ctx, node) => ctx.emit("Slice", [ctx.input(0), ctx.int64s([node.attrs.start]), ctx.int64s([node.attrs.end]), ctx.int64s([-1])]),
  pad: (ctx, node) => {
    const rank = ctx.shape(0).length;
    const pads = new Array<number>(2 * rank).fill(0);
    pads[rank - 1] = node.attrs.before;
    pads[2 * rank - 1] = node.attrs.after;
    ctx.emit("Pad", [ctx.input(0), ctx.int64s(pads)]);
  },
  transpose: (ctx, node) => ctx.emit("Transpose", [ctx.input(0)], [attr.ints("perm", node.attrs.perm)]),
  sum: (ctx, node) => reduce(ctx, "ReduceSum", node.attrs?.axes, node.attrs?.keepDims ?? false),
  mean: (ctx, node) => reduce(ctx, "ReduceMean", node.attrs?.axes, node.attrs?.keepDims ?? false),
  sumTo: (ctx) => {
    const [x, like] = [ctx.shape(0), ctx.shape(1)];
    const lead = x.length - like.length;
    // the axes like broadcasts along: the extra leading ones, and those where it has 1 and x does not
    const axes = x.map((_, i) => i).filter((i) => i < lead || (like[i - lead] === 1 && x[i] !== 1));
    if (axes.length === 0) return void ctx.emit("Identity", [ctx.input(0)]);
    const kept = ctx.temp("ReduceSum", [ctx.input(0), ctx.int64s(axes)], [attr.int("keepdims", 1)]);
    if (lead === 0) return void ctx.emit("Identity", [kept]);
    ctx.emit("Reshape", [kept, ctx.temp("Shape", [ctx.input(1)])]);
  },
  broadcastTo: (ctx) => ctx.emit("Expand", [ctx.input(0), ctx.temp("Shape", [ctx.input(1)])]),
  reshape: (ctx, node) => ctx.emit("Reshape", [ctx.input(0), ctx.int64s(reshapeTarget(ctx.shape(0), node.attrs.shape))]),
  countOf: (ctx, node) => {
    const x = ctx.shape(0);
    const axes = (node.attrs?.axes ?? x.map((_, i) => i)).map((a) => (a < 0 ? a + x.length : a));
    const fixed = axes.reduce((n, a) => n * (x[a] === "B" ? 1 : x[a]), 1);
    const batchAxes = axes.filter((a) => x[a] === "B");
    if (batchAxes.length === 0) return void ctx.emit("Constant", [], [attr.tensor("value", constantTensor(ctx, [], [fixed]))]);
    // B read at run time from x's shape, times the fixed dimensions
    const shape = ctx.temp("Shape", [ctx.input(0)]);
    const dims = batchAxes.map((a) => ctx.temp("Cast", [ctx.temp("Gather", [shape, ctx.int64(a)])], [attr.int("to", ctx.w.floatType)]));
    const product = [...dims.slice(1), ...(fixed === 1 ? [] : [ctx.scalar(fixed)])].reduce((acc, d) => ctx.temp("Mul", [acc, d]), dims[0]);
    ctx.emit("Identity", [product]);
  },
  constant: (ctx, node) => {
    const shape = node.attrs.shape ?? [];
    const size = shape.reduce((n, d) => n * d, 1);
    const values = node.attrs.values ?? new Array<number>(size).fill(node.attrs.value!);
    ctx.emit("Constant", [], [attr.tensor("value", constantTensor(ctx, shape, values))]);
  },
  identity: unary("Identity"),
  oneHot: (ctx, node) => {
    // ONNX Runtime's OneHot writes float values, not double: a float64 export casts after it
    const oneHot = [ctx.ids(0), ctx.int64(node.attrs.depth), ctx.constant([2], [0, 1], "float32")];
    if (ctx.w.dtype === "float32") return void ctx.emit("OneHot", oneHot, lastAxis);
    ctx.emit("Cast", [ctx.temp("OneHot", oneHot, lastAxis)], [attr.int("to", OnnxDataType.DOUBLE)]);
  },
  gather: (ctx) => ctx.emit("Gather", [ctx.input(0), ctx.ids(1)], [attr.int("axis", 0)]),
  mse: (ctx) => {
    const d = ctx.temp("Sub", [ctx.input(0), ctx.input(1)]);
    ctx.emit("ReduceMean", [ctx.temp("Mul", [d, d])], [attr.ints("axes", [-1]), attr.int("keepdims", 0)]);
  },
  softmaxCrossEntropy: (ctx) => ctx.emit("SoftmaxCrossEntropyLoss", [ctx.input(0), ctx.ids(1)], [attr.string("reduction", "none")]),
};

/** The `value` of a `Constant` node of the float element type. */
function constantTensor(ctx: StepOpContext, dims: readonly number[], values: readonly number[]): OnnxTensor {
  return onnxTensor("value", dims, values, ctx.w.dtype);
}
