import { attributesOf } from "../onnx/onnx-attributes.js";
import type { OnnxNode } from "../onnx/onnx-messages.js";
import type { ImportContext, OpRule } from "./import-context.js";
import { OnnxImportError } from "./import-error.js";
import type { ConstantTensor, ImportedHead, ImportValue } from "./import-values.js";
import { axisText, isUnitPart, meaningOf, normalizeAxis, type Axis, type Part } from "./symbolic-axes.js";
import { constantInput, sourceText, tensorOf, valueText, type TensorValue } from "./value-reads.js";

/** The parts a head reads along its input's last axis: a layer's whole output (both directions, forward first). */
function featureParts(t: TensorValue, where: string): Part[] {
  const s = t.source;
  if (s.kind === "sequence") return s.layer.dirs === 2 ? ["direction", "hidden"] : ["hidden"];
  if (s.kind === "final" && !s.cell && s.states.length === 1 && s.layers[0].dirs === 1) return ["hidden"];
  if (s.kind === "final") {
    throw new OnnxImportError(
      `${where}: reads ${sourceText(s)}; a head reads a layer's output sequence, or the final state h of one one-direction layer (its output at the row's last step)`,
    );
  }
  throw new OnnxImportError(
    `${where}: reads ${sourceText(s)}; unroll's head is one dense layer on the last recurrent layer's output (MatMul + Add or Gemm, then Softmax, Sigmoid or Tanh)`,
  );
}

/** A head's first step: `A W` along A's last axis, which must hold a layer's whole output. */
function startHead(ctx: ImportContext, a: TensorValue, w: ConstantTensor, where: string): TensorValue {
  const parts = featureParts(a, where);
  const last = a.axes[a.axes.length - 1] ?? [];
  const meaning = meaningOf(last, a.sizes, ctx.binding);
  const wanted = parts.filter((p) => !isUnitPart(p, a.sizes));
  if (meaning.join("×") !== wanted.join("×")) {
    throw new OnnxImportError(
      `${where}: multiplies along ${axisText(last, ctx.binding)}, but a head reads ${sourceText(a.source)} along ${parts.join("×")} (the layer's whole output)`,
    );
  }
  const inputs = parts.reduce((n, p) => n * (a.sizes[p as "hidden"] ?? 1), 1);
  if (w.dims.length !== 2 || w.dims[0] !== inputs) {
    throw new OnnxImportError(`${where}: ${w.what} is [${w.dims.join(", ")}], but a head on ${sourceText(a.source)} needs [${inputs}, units]`);
  }
  const units = w.dims[1];
  const head: ImportedHead = { where, W: w.values, b: new Float64Array(units), inputs, units, input: a.source, double: w.double };
  // the other axes lose their parts of size 1 (a one-direction layer's direction): they mean nothing for the head's output
  const axes = a.axes.map((ax, i) => (i === a.axes.length - 1 ? (["features"] as Axis) : ax.filter((p) => !isUnitPart(p, a.sizes))));
  return { kind: "tensor", source: { kind: "head", head }, axes, sizes: { features: units } };
}

/** The head a value is, before its activation; an error naming `verb` and the value otherwise. */
function headOf(v: ImportValue | undefined, where: string, verb: string): { t: TensorValue; head: ImportedHead } {
  if (v?.kind === "tensor" && v.source.kind === "head") {
    if (v.source.head.activation)
      throw new OnnxImportError(`${where}: ${verb} the head after its activation (${v.source.head.activation}); unroll's head ends with it`);
    return { t: v, head: v.source.head };
  }
  throw new OnnxImportError(
    `${where}: ${verb} ${v ? valueText(v) : "nothing"}, which is not a dense head's output; unroll's model has a bias and an activation only in its head`,
  );
}

/** The head with a constant added: it must broadcast along the features axis (a bias) or be one number. */
function addBias(ctx: ImportContext, t: TensorValue, head: ImportedHead, c: ConstantTensor, where: string): TensorValue {
  if (c.dims.length > t.axes.length) throw new OnnxImportError(`${where}: adds ${c.what} [${c.dims.join(", ")}], which has more axes than the head's output`);
  const b = Float64Array.from(head.b);
  const offset = t.axes.length - c.dims.length;
  const along = c.dims.findIndex((d) => d !== 1);
  if (along >= 0) {
    const meaning = meaningOf(t.axes[offset + along], t.sizes, ctx.binding);
    if (meaning.join() !== "features" || c.dims[along] !== head.units || c.dims.some((d, i) => i !== along && d !== 1)) {
      throw new OnnxImportError(
        `${where}: adds ${c.what} [${c.dims.join(", ")}] to the head's output; unroll's head adds one bias of ${head.units} along its features`,
      );
    }
    for (let j = 0; j < head.units; j++) b[j] += c.values[j];
  } else {
    for (let j = 0; j < head.units; j++) b[j] += c.values[0] ?? 0;
  }
  return { ...t, source: { kind: "head", head: { ...head, b, double: head.double || c.double } } };
}

/** Gemm: `alpha A' B' + beta C` with A' = A or Aᵀ (2 axes), B' = B or Bᵀ, folded into the head's W and b. */
const gemm: OpRule = (ctx, node, where) => {
  const a = attributesOf(node);
  const alpha = a.float("alpha", 1) ?? 1;
  const beta = a.float("beta", 1) ?? 1;
  const av = ctx.input(node, 0, where);
  if (av?.kind !== "tensor")
    throw new OnnxImportError(`${where}: input A is ${av ? valueText(av) : "missing"}; unroll's import reads a Gemm whose A is a layer's output`);
  if (av.axes.length !== 2) throw new OnnxImportError(`${where}: input A has ${av.axes.length} axes; Gemm reads 2`);
  const A = a.int("transA", 0) ? { ...av, axes: [av.axes[1], av.axes[0]] } : av;
  let B = constantInput(ctx, node, 1, where, `"B"`);
  if (B.dims.length !== 2) throw new OnnxImportError(`${where}: input "B" (${B.what}) is [${B.dims.join(", ")}]; Gemm's B has 2 axes`);
  if (a.int("transB", 0)) B = transpose2(B);
  const scaled = { ...B, values: B.values.map((v) => alpha * v) };
  const started = startHead(ctx, A, scaled, where);
  if (!node.input?.[2]) return [started];
  const C = constantInput(ctx, node, 2, where, `"C"`);
  const head = (started.source as { head: ImportedHead }).head;
  if (C.dims.length === 2 && C.dims[0] !== 1) {
    throw new OnnxImportError(
      `${where}: input "C" (${C.what}) is [${C.dims.join(", ")}], a bias per row; unroll's head adds one bias of ${head.units} to every row`,
    );
  }
  return [addBias(ctx, started, head, { ...C, values: C.values.map((v) => beta * v) }, where)];
};

/** `[r, c]` → `[c, r]`. */
function transpose2(c: ConstantTensor): ConstantTensor {
  const [r, k] = c.dims;
  const values = new Float64Array(r * k);
  for (let i = 0; i < r; i++) for (let j = 0; j < k; j++) values[j * r + i] = c.values[i * k + j];
  return { ...c, dims: [k, r], values };
}

/** The head with its activation; Softmax must normalize over the features axis alone. */
function activate(ctx: ImportContext, node: OnnxNode, where: string, activation: "softmax" | "sigmoid" | "tanh"): ImportValue[] {
  const { t, head } = headOf(ctx.input(node, 0, where), where, `applies ${node.opType} to`);
  if (activation === "softmax") {
    // before opset 13 Softmax flattens the axes from `axis` on (default 1); from 13 on it normalizes one axis (default -1)
    const fallback = ctx.opset < 13 ? 1 : -1;
    const axis = normalizeAxis(attributesOf(node).int("axis", fallback) ?? fallback, t.axes.length, where);
    const span = ctx.opset < 13 ? t.axes.slice(axis) : [t.axes[axis]];
    const meaning = span.flatMap((ax) => meaningOf(ax, t.sizes, ctx.binding));
    if (meaning.join() !== meaningOf(["features"], t.sizes, ctx.binding).join()) {
      throw new OnnxImportError(
        `${where}: attribute "axis" normalizes over ${span.map((ax) => axisText(ax, ctx.binding)).join(", ")} (opset ${ctx.opset}); unroll's softmax normalizes over the head's features alone`,
      );
    }
  }
  return [{ ...t, source: { kind: "head", head: { ...head, activation } } }];
}

/** Rules of a dense head: MatMul + Add or Gemm, then Softmax, Sigmoid or Tanh. */
export const headRules: Readonly<Record<string, OpRule>> = {
  MatMul: (ctx, node, where) => {
    const av = ctx.input(node, 0, where);
    const bv = ctx.input(node, 1, where);
    if (av?.kind !== "tensor" && av?.kind !== "feed") {
      throw new OnnxImportError(`${where}: input A is ${av ? valueText(av) : "missing"}; unroll's import reads a MatMul of a layer's output by a weight`);
    }
    if (bv?.kind !== "constant" || bv.tensor.dims.length !== 2) {
      throw new OnnxImportError(`${where}: input B is ${bv ? valueText(bv) : "missing"}; unroll's head multiplies by a constant weight [in, units]`);
    }
    return [startHead(ctx, tensorOf(ctx, av, where, "input A"), bv.tensor, where)];
  },
  Gemm: gemm,
  Add: (ctx, node, where) => {
    const [x, y] = [ctx.input(node, 0, where), ctx.input(node, 1, where)];
    const [value, bias] = x?.kind === "constant" ? [y, x] : [x, y];
    const { t, head } = headOf(value, where, "adds to");
    if (bias?.kind !== "constant")
      throw new OnnxImportError(`${where}: adds ${bias ? valueText(bias) : "nothing"} to the head; unroll's head adds a constant bias`);
    return [addBias(ctx, t, head, bias.tensor, where)];
  },
  Softmax: (ctx, node, where) => activate(ctx, node, where, "softmax"),
  Sigmoid: (ctx, node, where) => activate(ctx, node, where, "sigmoid"),
  Tanh: (ctx, node, where) => activate(ctx, node, where, "tanh"),
};
