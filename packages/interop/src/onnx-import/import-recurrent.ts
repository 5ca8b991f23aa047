import { MODEL_FORMAT, parseModelSpec, type ModelSpec, type Tensor } from "@unroll/ir";
import type { OnnxModel } from "../onnx/onnx-messages.js";
import { gatherRule } from "./gather-op.js";
import { headRules } from "./dense-head-ops.js";
import { glueRules } from "./glue-ops.js";
import { ImportContext, type OpRule, type WeightDraft } from "./import-context.js";
import { OnnxImportError } from "./import-error.js";
import type { ImportedHead } from "./import-values.js";
import type { OnnxAxis, OnnxImport, OnnxInputRole, OnnxOutputRole } from "./onnx-import-types.js";
import { recurrentRules } from "./recurrent-layer.js";
import { sequenceMaskRules } from "./sequence-mask-ops.js";
import { resolvePart, type Axis, type PartBinding } from "./symbolic-axes.js";
import { sourceText, valueText } from "./value-reads.js";

/** Every operator the import reads, by ONNX name. */
const rules: Readonly<Record<string, OpRule>> = { ...recurrentRules, ...glueRules, ...headRules, ...sequenceMaskRules, Gather: gatherRule };

/**
 * Reads an ONNX model whose recurrent part is `RNN`, `LSTM` or `GRU` nodes as an unroll model spec and its weights.
 * Follows each graph output back to the graph inputs through the recurrent nodes (a stack: each reads the one
 * below), the glue between them (Squeeze, Transpose, Reshape, ...), a dense head (MatMul + Add or Gemm, then
 * Softmax, Sigmoid or Tanh) and a Gather embedding. Anything it cannot express exactly throws an
 * {@link OnnxImportError} naming the node and the attribute or input.
 *
 * The result also says how ONNX's inputs become DATA (`x`, `lengths`, `initialState`) and where each ONNX output is
 * in what `unroll run` returns: {@link onnxFeedsToData} and {@link onnxOutputsOf} do both.
 *
 * Guide: [interop](../../../../docs/guides/interop.md#onnx-import) (what it reads, the mapping, what it refuses).
 */
export function importOnnxRecurrent(model: OnnxModel): OnnxImport {
  const ctx = new ImportContext(model, rules);
  const heads: ImportedHead[] = [];
  const outputs: OnnxOutputRole[] = ctx.outputs().map((o) => {
    const name = o.name ?? "";
    const v = ctx.value(name, `graph output "${name}"`);
    if (v.kind !== "tensor") throw new OnnxImportError(`graph output "${name}" is ${valueText(v)}, not something the model computes`);
    const s = v.source;
    const axes = resolved(v.axes, ctx.binding, name);
    switch (s.kind) {
      case "sequence":
        return { name, role: "sequence", axes, states: s.layer.states.h };
      case "final":
        return { name, role: "finalStates", axes, states: s.states };
      case "head":
        heads.push(s.head);
        if (axes.some((ax) => ax.includes("time"))) return { name, role: "output", axes, zeroPastLengths: s.zeroPastLengths ?? false };
        return { name, role: "finalOutput", axes, step: ctx.layers[ctx.layers.length - 1]?.spec.direction === "reverse" ? "first" : "last" };
      default:
        throw new OnnxImportError(`graph output "${name}" is ${sourceText(s)}, not something the model computes`);
    }
  });
  if (ctx.layers.length === 0) throw new OnnxImportError("no graph output is computed by an RNN, LSTM or GRU node");
  const head = oneHead(ctx, heads);
  const first = ctx.layers[0];
  const spec: ModelSpec = {
    format: MODEL_FORMAT,
    input: ctx.embedding?.vocab ?? first.inputs,
    layers: ctx.layers.map((l) => l.spec),
    ...(head ? { head: { units: head.units, activation: head.activation ?? "linear" } } : {}),
    ...(ctx.embedding ? { embedding: ctx.embedding } : {}),
  };
  if (head) {
    ctx.weights["head.W"] = { shape: [head.inputs, head.units], values: head.W };
    ctx.weights["head.b"] = { shape: [head.units], values: head.b };
  }
  const dtype = ctx.double || head?.double ? "float64" : "float32";
  const inputs: OnnxInputRole[] = [...ctx.inputs].map(([name, d]): OnnxInputRole => {
    if (d.role === "lengths") return { name, role: "lengths" };
    if (d.role === "x") return { name, role: "x", axes: resolved(d.axes, ctx.binding, name), tokenIds: d.tokenIds };
    const axes: OnnxAxis[] =
      d.layout === null ? [["batch"], ["hidden"]] : d.layout === 0 ? [["direction"], ["batch"], ["hidden"]] : [["batch"], ["direction"], ["hidden"]];
    return { name, role: "initialState", axes, states: d.states };
  });
  return {
    model: parseModelSpec(spec),
    weights: tensors(ctx.weights, dtype),
    inputs,
    outputs,
    initialState: tensors(ctx.initialState, dtype),
  };
}

/** The one head the outputs read (the same node, bias and activation), checked to read the last layer. */
function oneHead(ctx: ImportContext, heads: readonly ImportedHead[]): ImportedHead | undefined {
  const head = heads[0];
  if (!head) return undefined;
  for (const h of heads) {
    if (h.where !== head.where || h.activation !== head.activation || h.b.some((v, i) => v !== head.b[i])) {
      throw new OnnxImportError(
        `the graph outputs read two heads (${head.where}, ${head.activation ?? "no activation"}; ${h.where}, ${h.activation ?? "no activation"}); unroll's model has one`,
      );
    }
  }
  const last = ctx.layers[ctx.layers.length - 1];
  const input = head.input;
  const reads = input.kind === "sequence" ? input.layer : input.kind === "final" ? input.layers[0] : undefined;
  if (reads !== last) {
    throw new OnnxImportError(
      `${head.where}: reads ${sourceText(input)}, but layer ${last.index} (${last.where}) is above it; unroll's head reads the last layer`,
    );
  }
  return head;
}

/** Axes with x0 and x1 resolved to time and batch. */
function resolved(axes: readonly Axis[], binding: PartBinding, name: string): OnnxAxis[] {
  return axes.map((ax) =>
    ax.map((p) => {
      const r = resolvePart(p, binding);
      if (r === "x0" || r === "x1") throw new OnnxImportError(`"${name}": no recurrent node reads the data input, so its time and batch axes are unknown`);
      return r;
    }),
  );
}

/** Drafts as tensors of the dtype. */
function tensors(drafts: Readonly<Record<string, WeightDraft>>, dtype: "float32" | "float64"): Record<string, Tensor> {
  return Object.fromEntries(
    Object.entries(drafts).map(([name, w]) => [
      name,
      { shape: [...w.shape], data: dtype === "float64" ? Float64Array.from(w.values) : Float32Array.from(w.values) },
    ]),
  );
}
