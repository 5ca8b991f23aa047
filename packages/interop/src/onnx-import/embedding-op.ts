import { EMBEDDING_TABLE } from "@unroll/ir";
import { attributesOf } from "../onnx/onnx-attributes.js";
import type { OpRule } from "./import-context.js";
import { OnnxImportError } from "./import-error.js";
import { sourceText, tensorOf, valueText } from "./value-reads.js";

/** Gather of rows of a constant table by the token ids of the data input: the model's embedding. */
export const gatherRule: OpRule = (ctx, node, where) => {
  const table = ctx.input(node, 0, where);
  const ids = ctx.input(node, 1, where);
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

function tableOf(dims: readonly number[], where: string, what: string): { vocab: number; units: number } {
  if (dims.length !== 2) throw new OnnxImportError(`${where}: ${what} is [${dims.join(", ")}]; an embedding table is [vocab, units]`);
  return { vocab: dims[0], units: dims[1] };
}
