import { formatShape, type AttrsOf, type Dim, type GraphBuilder, type OpKind, type Shape } from "@unroll/ir";
import type { attributesOf } from "../onnx/onnx-attributes.js";
import { OnnxDataType, type OnnxNode } from "../onnx/onnx-messages.js";
import { onnxTensorValues } from "../onnx/onnx-tensor.js";
import type { ImportedValue } from "./imported-value.js";

/** What a rule sees of the ONNX node it imports. */
export interface ImportContext {
  /** The builder of the stage's step graph. */
  readonly b: GraphBuilder;
  /** The ONNX node. */
  readonly node: OnnxNode;
  /** Its attributes, read with their types checked. */
  readonly attrs: ReturnType<typeof attributesOf>;
  /** Input k as imported; undefined when it is left out. */
  input(k: number): ImportedValue | undefined;
  /** Input k as a value of ours (a constant becomes a `constant` node); anything else is an error naming the node. */
  value(k: number): string;
  /** Input k's values when it is a constant; an error naming the node otherwise. */
  constant(k: number): number[];
  /** Writes a node of ours for this ONNX node (under the id of its output). */
  emit<K extends OpKind>(op: K, inputs: string[], attrs?: AttrsOf<K>): ImportedValue;
  /** An error naming the node. */
  fail(message: string): never;
}

/** Imports one ONNX node: writes our ops for it, or returns what its output is to the import. */
export type ImportRule = (ctx: ImportContext) => ImportedValue;

const INTEGER_TYPES = new Set<number>([OnnxDataType.INT64, OnnxDataType.INT32]);
const FLOAT_TYPES = new Set<number>([OnnxDataType.FLOAT, OnnxDataType.DOUBLE]);

const unary =
  (op: "neg" | "tanh" | "sigmoid" | "relu" | "exp" | "log"): ImportRule =>
  (ctx) =>
    ctx.emit(op, [ctx.value(0)]);
const binary =
  (op: "add" | "sub" | "mul" | "div"): ImportRule =>
  (ctx) =>
    ctx.emit(op, [ctx.value(0), ctx.value(1)]);

/** Checks that an axis attribute (or its default) names the last axis of a value of the given rank. */
function lastAxis(ctx: ImportContext, rank: number, fallback?: number): void {
  const axis = ctx.attrs.int("axis", fallback);
  if (axis === undefined) ctx.fail(`attribute "axis" is required`);
  if (axis !== -1 && axis !== rank - 1) ctx.fail(`attribute "axis" is ${axis}; unroll's op works on the last axis (${rank - 1}) only`);
}

/** A lastAxis op (softmax, logSoftmax) with ONNX's default axis -1. */
const lastAxisOp =
  (op: "softmax" | "logSoftmax"): ImportRule =>
  (ctx) => {
    const x = ctx.value(0);
    lastAxis(ctx, ctx.b.shape(x).length, -1);
    return ctx.emit(op, [x]);
  };

/** The target shape of ONNX Reshape for ours: 0 copies the input's dimension, -1 is inferred (the batch when x has it). */
function reshapeTarget(ctx: ImportContext, from: Shape, target: readonly number[]): Dim[] {
  const allowZero = ctx.attrs.int("allowzero", 0) === 1;
  const dims: (Dim | null)[] = target.map((d, i) => {
    if (d === -1) return null;
    if (d !== 0 || allowZero) return d;
    if (i >= from.length) ctx.fail(`shape [${target.join(", ")}] copies dimension ${i}, which the input ${formatShape(from)} does not have`);
    return from[i];
  });
  const inferred = dims.indexOf(null);
  if (inferred < 0) return dims as Dim[];
  if (dims.lastIndexOf(null) !== inferred) ctx.fail(`shape [${target.join(", ")}] infers more than one dimension`);
  const fixed = (s: readonly (Dim | null)[]) => s.reduce<number>((n, d) => (typeof d === "number" ? n * d : n), 1);
  const batches = (s: readonly (Dim | null)[]) => s.filter((d) => d === "B").length;
  // the inferred dimension is what the others leave: the batch if they lose it, else a whole fixed size
  const lostBatch = batches(from) - batches(dims);
  const ratio = fixed(from) / fixed(dims);
  if (lostBatch === 1 && ratio === 1) dims[inferred] = "B";
  else if (lostBatch === 0 && Number.isInteger(ratio)) dims[inferred] = ratio;
  else ctx.fail(`shape [${target.join(", ")}] of an input ${formatShape(from)} infers a dimension that is neither the batch nor a fixed size`);
  return dims as Dim[];
}

/**
 * The ONNX operators the Scan import maps to ours, keyed by op type: the inverse of the export's rules, so every
 * Scan that unroll writes imports. An operator not in the table, or an attribute a rule cannot honor, is refused
 * with a message naming the node.
 */
export const onnxOpRules: Readonly<Record<string, ImportRule>> = {
  MatMul: (ctx) => ctx.emit("matmul", [ctx.value(0), ctx.value(1)]),
  Einsum: (ctx) => {
    const equation = (ctx.attrs.string("equation") ?? "").replace(/\s/g, "");
    const a = ctx.value(0);
    const lead = "abcdefghijkl".slice(0, ctx.b.shape(a).length - 1);
    if (equation === "km,pk->mp") return ctx.emit("matmul", [a, ctx.value(1)], { transposeA: true, transposeB: true });
    if (equation === `${lead}m,${lead}p->mp`) return ctx.emit("matmul", [a, ctx.value(1)], { transposeA: true });
    return ctx.fail(`attribute "equation" is "${equation}"; the import reads the transposed products unroll writes ("${lead}m,${lead}p->mp", "km,pk->mp")`);
  },
  Add: binary("add"),
  Sub: binary("sub"),
  Mul: binary("mul"),
  Div: binary("div"),
  Neg: unary("neg"),
  Tanh: unary("tanh"),
  Sigmoid: unary("sigmoid"),
  Relu: unary("relu"),
  Exp: unary("exp"),
  Log: unary("log"),
  Identity: (ctx) => ctx.input(0) ?? ctx.fail("its input is missing"),
  Greater: (ctx) => {
    if (ctx.constant(1).some((v) => v !== 0)) ctx.fail("only x > 0 (unroll's step) is imported; the second input must be 0");
    return { kind: "positive", of: ctx.value(0) };
  },
  Cast: (ctx) => {
    const to = ctx.attrs.int("to");
    const x = ctx.input(0) ?? ctx.fail("its input is missing");
    if (to !== undefined && INTEGER_TYPES.has(to) && (x.kind === "value" || x.kind === "constant")) return x; // ids are numbers in ours
    if (to !== undefined && FLOAT_TYPES.has(to)) {
      if (x.kind === "value" || x.kind === "constant") return x;
      if (x.kind === "positive") return ctx.emit("step", [x.of]);
      if (x.kind === "dim") return ctx.emit("countOf", [x.of], { axes: [x.axis] });
    }
    return ctx.fail(`a cast of ${x.kind} to element type ${to} has no unroll op`);
  },
  Pow: (ctx) => {
    const exponent = ctx.constant(1);
    if (exponent.length !== 1 || exponent[0] !== -0.5) ctx.fail(`exponent ${exponent.join(", ")}: only x^-0.5 (unroll's rsqrt) is imported`);
    return ctx.emit("rsqrt", [ctx.value(0)]);
  },
  Softmax: lastAxisOp("softmax"),
  LogSoftmax: lastAxisOp("logSoftmax"),
  Concat: (ctx) => {
    const inputs = (ctx.node.input ?? []).map((_, k) => ctx.value(k));
    lastAxis(ctx, ctx.b.shape(inputs[0]).length);
    return ctx.emit("concat", inputs);
  },
  Slice: (ctx) => {
    const x = ctx.value(0);
    const shape = ctx.b.shape(x);
    const axes = ctx.input(3) ? ctx.constant(3) : [0];
    const steps = ctx.input(4) ? ctx.constant(4) : [1];
    if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== shape.length - 1) || steps[0] !== 1) {
      ctx.fail(`slices axes [${axes.join(", ")}] with steps [${steps.join(", ")}]; unroll's slice takes one range of the last axis, step 1`);
    }
    const width = shape[shape.length - 1];
    if (width === "B") return ctx.fail("slices the batch axis");
    const bound = (v: number) => Math.min(Math.max(v < 0 ? v + width : v, 0), width);
    return ctx.emit("slice", [x], { start: bound(ctx.constant(1)[0]), end: bound(ctx.constant(2)[0]) });
  },
  Pad: (ctx) => {
    const x = ctx.value(0);
    const rank = ctx.b.shape(x).length;
    const pads = ctx.constant(1);
    if ((ctx.attrs.string("mode") ?? "constant") !== "constant") ctx.fail(`attribute "mode" is "${ctx.attrs.string("mode")}"; unroll's pad adds zeros`);
    if (ctx.input(2) && ctx.constant(2).some((v) => v !== 0)) ctx.fail("pads with a value other than 0");
    if (pads.some((p, i) => p !== 0 && i !== rank - 1 && i !== 2 * rank - 1) || pads.some((p) => p < 0)) {
      ctx.fail(`pads [${pads.join(", ")}]; unroll's pad adds zeros at both ends of the last axis only`);
    }
    return ctx.emit("pad", [x], { before: pads[rank - 1], after: pads[2 * rank - 1] });
  },
  Transpose: (ctx) => {
    const x = ctx.value(0);
    const rank = ctx.b.shape(x).length;
    return ctx.emit("transpose", [x], { perm: ctx.attrs.ints("perm") ?? Array.from({ length: rank }, (_, i) => rank - 1 - i) });
  },
  ReduceSum: (ctx) => {
    if (!ctx.input(1) && ctx.attrs.int("noop_with_empty_axes", 0) === 1) return ctx.input(0)!;
    const keepDims = ctx.attrs.int("keepdims", 1) === 1;
    return ctx.emit("sum", [ctx.value(0)], ctx.input(1) ? { axes: ctx.constant(1), keepDims } : { keepDims });
  },
  ReduceMean: (ctx) => {
    const axes = ctx.attrs.ints("axes");
    const keepDims = ctx.attrs.int("keepdims", 1) === 1;
    return ctx.emit("mean", [ctx.value(0)], axes ? { axes, keepDims } : { keepDims });
  },
  Expand: (ctx) => {
    const shape = ctx.input(1);
    if (shape?.kind !== "shape") return ctx.fail("expands to a shape other than another value's (Shape of it), which unroll's broadcastTo reads");
    return ctx.emit("broadcastTo", [ctx.value(0), shape.of]);
  },
  Shape: (ctx) => {
    if (ctx.attrs.int("start") !== undefined || ctx.attrs.int("end") !== undefined) ctx.fail(`attributes "start" and "end" are read outside Scan bodies only`);
    return { kind: "shape", of: ctx.value(0) };
  },
  Gather: (ctx) => {
    const source = ctx.input(0);
    if (source?.kind === "shape") {
      const axis = ctx.constant(1);
      if (axis.length !== 1) ctx.fail("gathers several dimensions of a shape");
      const rank = ctx.b.shape(source.of).length;
      return { kind: "dim", of: source.of, axis: axis[0] < 0 ? axis[0] + rank : axis[0] };
    }
    if (ctx.attrs.int("axis", 0) !== 0) ctx.fail(`attribute "axis" is ${ctx.attrs.int("axis")}; unroll's gather picks rows (axis 0)`);
    return ctx.emit("gather", [ctx.value(0), ctx.value(1)]);
  },
  Reshape: (ctx) => {
    const x = ctx.value(0);
    const shape = ctx.input(1);
    if (shape?.kind === "shape") return ctx.emit("reshape", [x], { shape: [...ctx.b.shape(shape.of)] });
    return ctx.emit("reshape", [x], { shape: reshapeTarget(ctx, ctx.b.shape(x), ctx.constant(1)) });
  },
  Unsqueeze: (ctx) => {
    const x = ctx.input(0);
    if (x?.kind === "mask") return x;
    const id = ctx.value(0);
    const from = ctx.b.shape(id);
    const rank = from.length + ctx.constant(1).length;
    const axes = new Set(ctx.constant(1).map((a) => (a < 0 ? a + rank : a)));
    const rest = [...from];
    return ctx.emit("reshape", [id], { shape: Array.from({ length: rank }, (_, i) => (axes.has(i) ? 1 : rest.shift()!)) });
  },
  Constant: (ctx) => {
    const other = ctx.attrs.names().find((n) => n !== "value");
    const t =
      (other === undefined && ctx.attrs.tensor("value")) || ctx.fail(`attribute "${other ?? "value"}": the import reads constants given as a "value" tensor`);
    const name = ctx.node.output?.[0] ?? "";
    return { kind: "constant", name, dims: t.dims ?? [], values: onnxTensorValues(t, `constant "${name}"`), integer: INTEGER_TYPES.has(t.dataType ?? 0) };
  },
  OneHot: (ctx) => {
    const depth = ctx.constant(1);
    const values = ctx.constant(2);
    if (depth.length !== 1 || values.length !== 2 || values[0] !== 0 || values[1] !== 1)
      ctx.fail("only one-hot rows of 0 and 1 (unroll's oneHot) are imported");
    lastAxis(ctx, 2, -1);
    return ctx.emit("oneHot", [ctx.value(0)], { depth: depth[0] });
  },
  SoftmaxCrossEntropyLoss: (ctx) => {
    if (ctx.attrs.string("reduction") !== "none") ctx.fail(`attribute "reduction" must be "none": unroll's loss is per row`);
    if (ctx.input(2) || ctx.attrs.int("ignore_index") !== undefined) ctx.fail("class weights and ignore_index have no unroll op");
    return ctx.emit("softmaxCrossEntropy", [ctx.value(0), ctx.value(1)]);
  },
  Where: (ctx) => {
    if (ctx.input(0)?.kind !== "mask") ctx.fail("only a choice by the step mask (a padding step keeps the state, outputs 0) is imported");
    return { kind: "masked", value: ctx.value(1), otherwise: ctx.input(2) ?? ctx.fail("its third input is missing") };
  },
};
