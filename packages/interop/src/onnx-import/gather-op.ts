import { EMBEDDING_TABLE } from "@unroll/ir";
import { attributesOf } from "../onnx/onnx-attributes.js";
import type { OpRule } from "./import-context.js";
import { OnnxImportError } from "./import-error.js";
import type { OnnxNode } from "../onnx/onnx-messages.js";
import type { ImportContext } from "./import-context.js";
import type { ConstantTensor, ImportValue, Source } from "./import-values.js";
import { axisText, meaningOf, normalizeAxis, type Axis } from "./symbolic-axes.js";
import { sourceText, tensorOf, valueText, type TensorValue } from "./value-reads.js";

/**
 * Gather: rows of a constant table by the token ids of the data input (the model's embedding), or final states
 * picked by constant indices along their direction axis (PyTorch's `h_n[-1]`).
 */
export const gatherRule: OpRule = (ctx, node, where) => {
  const table = ctx.input(node, 0, where);
  const ids = ctx.input(node, 1, where);
  if (table?.kind === "tensor" && table.source.kind === "final" && ids?.kind === "constant") return [pickStates(ctx, node, where, table, ids.tensor)];
  if (table?.kind === "shape" && ids?.kind === "constant" && ids.tensor.dims.length === 0) {
    const i = ids.tensor.values[0];
    const axis = table.of[normalizeAxis(i, table.of.length, where)];
    return [{ kind: "size", axis }];
  }
  if (table?.kind !== "constant" || (ids?.kind !== "feed" && ids?.kind !== "tensor")) {
    const what = table?.kind === "tensor" ? sourceText(table.source) : table ? valueText(table) : "nothing";
    throw new OnnxImportError(
      `${where}: gathers from ${what}; unroll's import reads a Gather of rows of a constant table by the token ids (an embedding), not a selection of steps or rows`,
    );
  }
  const axis = attributesOf(node).int("axis", 0) ?? 0;
  if (axis !== 0) throw new OnnxImportError(`${where}: attribute "axis" is ${axis}; an embedding gathers rows (axis 0)`);
  const t = tableOf(table.tensor.dims, where, table.tensor.what);
  const idTensor = tensorOf(ctx, ids.kind === "feed" ? { ...ids, ids: true } : ids, where, "input 1 (indices)");
  if (idTensor.source.kind !== "ids")
    throw new OnnxImportError(`${where}: its indices are ${sourceText(idTensor.source)}, not the token ids of the data input`);
  if (ctx.embedding) throw new OnnxImportError(`${where}: a second embedding; unroll's model has one`);
  ctx.embedding = { vocab: t.vocab, units: t.units };
  ctx.weights[EMBEDDING_TABLE] = { shape: [t.vocab, t.units], values: table.tensor.values };
  ctx.double ||= table.tensor.double;
  return [{ kind: "tensor", source: { kind: "embedding", feed: idTensor.source.feed }, axes: [...idTensor.axes, ["features"]], sizes: { features: t.units } }];
};

/** Final states picked along their direction axis: a scalar index drops the axis, a list keeps it. */
function pickStates(ctx: ImportContext, node: OnnxNode, where: string, t: TensorValue, indices: ConstantTensor): ImportValue {
  const source = t.source as Extract<Source, { kind: "final" }>;
  const axis = normalizeAxis(attributesOf(node).int("axis", 0) ?? 0, t.axes.length, where);
  if (meaningOf(t.axes[axis], t.sizes, ctx.binding).some((p) => p !== "direction") || indices.dims.length > 1) {
    throw new OnnxImportError(
      `${where}: gathers ${sourceText(source)} along ${axisText(t.axes[axis], ctx.binding)}; unroll's import picks final states along their direction axis only`,
    );
  }
  const n = source.states.length;
  const picked = Array.from(indices.values, (i) => {
    if (!Number.isInteger(i) || i < -n || i >= n) throw new OnnxImportError(`${where}: index ${i} is out of range for ${n} final states`);
    return i < 0 ? i + n : i;
  });
  const states = picked.map((i) => source.states[i]);
  const layers = [...new Set(picked.map((i) => source.layers.find((l) => [...l.states.h, ...(l.states.c ?? [])].includes(source.states[i]))!))];
  const axes = indices.dims.length === 0 ? t.axes.filter((_, i) => i !== axis) : t.axes.map((ax, i) => (i === axis ? (["direction"] as Axis) : ax));
  return { kind: "tensor", source: { ...source, states, layers }, axes, sizes: { ...t.sizes, direction: states.length } };
}

function tableOf(dims: readonly number[], where: string, what: string): { vocab: number; units: number } {
  if (dims.length !== 2) throw new OnnxImportError(`${where}: ${what} is [${dims.join(", ")}]; an embedding table is [vocab, units]`);
  return { vocab: dims[0], units: dims[1] };
}
