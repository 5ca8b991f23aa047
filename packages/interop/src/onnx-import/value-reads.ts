import type { ImportContext } from "./import-context.js";
import { OnnxImportError } from "./import-error.js";
import type { ConstantTensor, ImportValue, Source } from "./import-values.js";
import type { PartSizes } from "./symbolic-axes.js";
import type { OnnxNode } from "../onnx/onnx-messages.js";

/** A tensor of the model along known axes. */
export type TensorValue = Extract<ImportValue, { kind: "tensor" }>;

/** A source for messages: `the output of layer 0 (node "l0" (LSTM))`. */
export function sourceText(s: Source): string {
  switch (s.kind) {
    case "input":
      return `the data input "${s.feed}"`;
    case "ids":
      return `the token ids "${s.feed}"`;
    case "embedding":
      return `the embedding of "${s.feed}"`;
    case "sequence":
      return `the output sequence of layer ${s.layer.index} (${s.layer.where})`;
    case "final":
      return `the final ${s.cell ? "cell " : ""}state${s.states.length > 1 ? "s" : ""} of ${s.layers.map((l) => `layer ${l.index} (${l.where})`).join(", ")}`;
    case "head":
      return `the output of the head (${s.head.where})`;
  }
}

/** A value for messages. */
export function valueText(v: ImportValue): string {
  switch (v.kind) {
    case "constant":
      return v.tensor.what;
    case "zeros":
      return v.what;
    case "feed":
      return `the graph input "${v.name}"`;
    case "stateFeeds":
      return `initial states from the graph input${v.ranges.length > 1 ? "s" : ""} ${[...new Set(v.ranges.map((r) => `"${r.feed}"`))].join(", ")}`;
    case "shape":
      return "the shape of a tensor";
    case "size":
      return "a dim of a tensor";
    case "steps":
      return "the step indices";
    case "lengths":
      return `the lengths "${v.feed}"`;
    case "stepMask":
      return `the step mask of the lengths "${v.feed}"`;
    case "startedRows":
      return `the rows of the lengths "${v.feed}" above 0`;
    case "tensor":
      return sourceText(v.source);
  }
}

/**
 * A value read as a tensor of the model. A graph input read this way becomes the data input `x`: `[x0, x1, features]`
 * (or token ids `[x0, x1]`), x0 and x1 being time and batch in the order the first recurrent node's layout says.
 */
export function tensorOf(ctx: ImportContext, v: ImportValue, where: string, label: string): TensorValue {
  if (v.kind === "tensor") return v;
  if (v.kind !== "feed") throw new OnnxImportError(`${where}: ${label} is ${valueText(v)}, where unroll's import reads the model's data or what it computes`);
  const rank = v.rank ?? (v.ids ? 2 : 3);
  if (rank !== (v.ids ? 2 : 3)) {
    throw new OnnxImportError(
      `${where}: ${label} is the graph input "${v.name}" with ${rank} axes; the data input has 3 ([time, batch, features] or [batch, time, features]), or 2 for token ids`,
    );
  }
  const other = ctx.inputs.get(v.name);
  if (other && other.role !== "x")
    throw new OnnxImportError(`${where}: reads the graph input "${v.name}" as data, but it is also the ${other.role} of a layer`);
  for (const [name, role] of ctx.inputs) {
    if (role.role === "x" && name !== v.name)
      throw new OnnxImportError(`${where}: reads the graph input "${v.name}" as data, but "${name}" is the data already`);
  }
  const axes = v.ids ? [["x0"], ["x1"]] : [["x0"], ["x1"], ["features"]];
  ctx.inputs.set(v.name, { role: "x", axes: axes as TensorValue["axes"], tokenIds: v.ids });
  const width = ctx.declaredDims(v.name)?.[2];
  const sizes: PartSizes = width === undefined ? {} : { features: width };
  return { kind: "tensor", source: v.ids ? { kind: "ids", feed: v.name } : { kind: "input", feed: v.name }, axes, sizes } as TensorValue;
}

/** Input `i` as a constant; an error naming the input when it is absent or computed. */
export function constantInput(ctx: ImportContext, node: OnnxNode, i: number, where: string, label: string): ConstantTensor {
  const v = ctx.input(node, i, where);
  if (!v) throw new OnnxImportError(`${where}: input ${label} is missing`);
  if (v.kind !== "constant")
    throw new OnnxImportError(`${where}: input ${label} is ${valueText(v)}; unroll's import reads it as a constant (an initializer or a Constant node)`);
  return v.tensor;
}

/** A constant's elements as whole numbers (shapes, axes), or an error naming it. */
export function intsOf(c: ConstantTensor, where: string, label: string): number[] {
  const out = Array.from(c.values);
  if (out.some((v) => !Number.isInteger(v))) throw new OnnxImportError(`${where}: input ${label} must hold integers`);
  return out;
}
