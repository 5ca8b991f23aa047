import type { LayerSpec } from "@unroll/ir";
import { attributesOf } from "../onnx/onnx-attributes.js";
import type { OnnxNode } from "../onnx/onnx-messages.js";
import { GATES_FROM_ONNX, gateMatrix, gateVector } from "./gate-weights.js";
import type { ImportContext, OpRule } from "./import-context.js";
import { OnnxImportError } from "./import-error.js";
import type { ImportedLayer, ImportValue } from "./import-values.js";
import { initialStateOf } from "./initial-state.js";
import { axesText, meaningOf, type Axis, type Part } from "./symbolic-axes.js";
import { constantInput, sourceText, tensorOf, valueText, type TensorValue } from "./value-reads.js";

/** What differs between RNN, LSTM and GRU nodes (ONNX operator specification, opset 14). */
interface RecurrentOp {
  readonly cell: "rnn" | "lstm" | "gru";
  readonly inputs: readonly string[];
  readonly attributes: readonly string[];
  /** The activations of one direction when none are given. */
  readonly defaults: readonly string[];
}

const COMMON = ["activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size", "layout"];
const RNN_INPUTS = ["X", "W", "R", "B", "sequence_lens", "initial_h"];
const OPS: Readonly<Record<"RNN" | "LSTM" | "GRU", RecurrentOp>> = {
  RNN: { cell: "rnn", inputs: RNN_INPUTS, attributes: COMMON, defaults: ["Tanh"] },
  LSTM: { cell: "lstm", inputs: [...RNN_INPUTS, "initial_c", "P"], attributes: [...COMMON, "input_forget"], defaults: ["Sigmoid", "Tanh", "Tanh"] },
  GRU: { cell: "gru", inputs: RNN_INPUTS, attributes: [...COMMON, "linear_before_reset"], defaults: ["Sigmoid", "Tanh"] },
};

const RNN_ACTIVATIONS: Readonly<Record<string, "tanh" | "relu" | "sigmoid">> = { Tanh: "tanh", Relu: "relu", Sigmoid: "sigmoid" };

/** The activation of an RNN node's cell (its `activations`, one per direction, the same in both), or the LSTM's and GRU's defaults checked. */
function activationOf(node: OnnxNode, where: string, op: RecurrentOp, dirs: number, direction: string): "tanh" | "relu" | "sigmoid" {
  const given = attributesOf(node).strings("activations");
  if (!given) return "tanh";
  const per = op.defaults.length;
  const quoted = `[${given.map((g) => `"${g}"`).join(", ")}]`;
  if (given.length !== per * dirs) {
    throw new OnnxImportError(`${where}: attribute "activations" is ${quoted}; a ${direction} ${node.opType} has ${per * dirs} (${per} per direction)`);
  }
  if (op.cell !== "rnn") {
    for (let d = 0; d < dirs; d++) {
      if (given.slice(d * per, (d + 1) * per).join() !== op.defaults.join()) {
        throw new OnnxImportError(
          `${where}: attribute "activations" is ${quoted}; unroll's ${op.cell} has ${op.defaults.map((g) => `"${g}"`).join(", ")} in each direction`,
        );
      }
    }
    return "tanh";
  }
  const other = given.find((g) => !(g in RNN_ACTIVATIONS));
  if (other !== undefined) throw new OnnxImportError(`${where}: attribute "activations" has "${other}"; unroll's rnn has "Tanh", "Relu" or "Sigmoid"`);
  if (given.some((g) => g !== given[0])) {
    throw new OnnxImportError(`${where}: attribute "activations" is ${quoted}: the directions differ, and unroll's bidirectional rnn has one activation`);
  }
  return RNN_ACTIVATIONS[given[0]];
}

/** Refuses what unroll's cells cannot compute exactly, naming the attribute. */
function refuseUnsupported(node: OnnxNode, where: string, op: RecurrentOp): void {
  const a = attributesOf(node);
  for (const name of a.names()) {
    if (!op.attributes.includes(name)) throw new OnnxImportError(`${where}: attribute "${name}" is not an attribute of ${node.opType}`);
  }
  for (const name of ["activation_alpha", "activation_beta"]) {
    if (a.names().includes(name)) throw new OnnxImportError(`${where}: attribute "${name}" is not supported: unroll's activations take no parameters`);
  }
  if (a.names().includes("clip")) throw new OnnxImportError(`${where}: attribute "clip" is not supported: unroll's cells do not clip their pre-activations`);
  if ((a.int("input_forget", 0) ?? 0) !== 0) {
    throw new OnnxImportError(`${where}: attribute "input_forget" = 1 is not supported: unroll's lstm has separate input and forget gates`);
  }
  if ((node.input?.length ?? 0) > op.inputs.length)
    throw new OnnxImportError(`${where}: has ${node.input?.length} inputs; ${node.opType} has at most ${op.inputs.length}`);
}

/** The parts along which a layer reads its input's features: the data's, the embedding's, or the layer below's whole output. */
function featureParts(x: TensorValue): Part[] {
  return x.source.kind === "sequence" && x.source.layer.dirs === 2 ? ["direction", "hidden"] : x.source.kind === "sequence" ? ["hidden"] : ["features"];
}

/** Checks that `X` is the data (first layer) or the layer below's output, along [time, batch, features] or [batch, time, features]. */
function checkInput(ctx: ImportContext, x: TensorValue, where: string, layout: number, inputs: number): void {
  const k = ctx.layers.length;
  const below = ctx.layers[k - 1];
  const s = x.source;
  const fits = k === 0 ? s.kind === "input" || s.kind === "embedding" : s.kind === "sequence" && s.layer === below;
  if (!fits) {
    const wanted = k === 0 ? "the data input (or its embedding)" : `the output sequence of layer ${k - 1} (${below.where})`;
    throw new OnnxImportError(`${where}: input "X" is ${sourceText(s)}, but unroll's layers form one stack: it must be ${wanted}`);
  }
  const want: Part[] = layout === 0 ? ["time", "batch"] : ["batch", "time"];
  const shape = `layout ${layout} reads ${layout === 0 ? "[time, batch, features]" : "[batch, time, features]"}`;
  if (x.axes.length !== 3) throw new OnnxImportError(`${where}: input "X" is ${axesText(x.axes, ctx.binding)}; ${shape}`);
  for (let i = 0; i < 2; i++) {
    const m = meaningOf(x.axes[i], x.sizes, ctx.binding);
    const p = m[0];
    if (m.length === 1 && (p === "x0" || p === "x1")) {
      ctx.binding[p] = want[i] as "time" | "batch";
      ctx.binding[p === "x0" ? "x1" : "x0"] = want[1 - i] as "time" | "batch";
    } else if (m.length !== 1 || p !== want[i]) {
      throw new OnnxImportError(`${where}: input "X" is ${axesText(x.axes, ctx.binding)}; ${shape}`);
    }
  }
  const features = meaningOf(featureParts(x), x.sizes, ctx.binding).join("×");
  if (meaningOf(x.axes[2], x.sizes, ctx.binding).join("×") !== features) {
    throw new OnnxImportError(
      `${where}: input "X" is ${axesText(x.axes, ctx.binding)}: its last axis is not ${sourceText(s)}'s features (${featureParts(x).join("×")})`,
    );
  }
  const width = s.kind === "sequence" ? s.layer.dirs * s.layer.hidden : x.sizes.features;
  if (width !== undefined && width !== inputs) {
    throw new OnnxImportError(`${where}: input "W" reads ${inputs} features, but ${sourceText(s)} has ${width}`);
  }
}

/** The graph input `sequence_lens` names (null for none), the same for every layer. */
function lengthsOf(ctx: ImportContext, node: OnnxNode, where: string): void {
  const v = ctx.input(node, 4, where);
  if (v && v.kind !== "feed")
    throw new OnnxImportError(`${where}: input "sequence_lens" is ${valueText(v)}; unroll reads lengths from a graph input (DATA's lengths)`);
  const feed = v ? v.name : null;
  if (v) {
    const other = ctx.inputs.get(v.name);
    if (other && other.role !== "lengths")
      throw new OnnxImportError(`${where}: input "sequence_lens" is the graph input "${v.name}", which is also the ${other.role}`);
    ctx.inputs.set(v.name, { role: "lengths" });
  }
  if (!ctx.lengths) ctx.lengths = { feed, where };
  else if (ctx.lengths.feed !== feed) {
    const text = (f: string | null) => (f ? `"${f}"` : "absent");
    throw new OnnxImportError(
      `${where}: input "sequence_lens" is ${text(feed)}, but it is ${text(ctx.lengths.feed)} for ${ctx.lengths.where}; unroll applies one set of lengths to every layer`,
    );
  }
}

/** Reads an RNN, LSTM or GRU node as the next layer of the stack: its spec, weights, states and outputs Y, Y_h (and Y_c). */
function readRecurrent(ctx: ImportContext, node: OnnxNode, where: string, op: RecurrentOp): ImportValue[] {
  refuseUnsupported(node, where, op);
  const a = attributesOf(node);
  const direction = a.string("direction", "forward") ?? "forward";
  if (!["forward", "reverse", "bidirectional"].includes(direction)) {
    throw new OnnxImportError(`${where}: attribute "direction" is "${direction}"; ONNX has "forward", "reverse" and "bidirectional"`);
  }
  const layout = a.int("layout", 0) ?? 0;
  if (layout !== 0 && layout !== 1) throw new OnnxImportError(`${where}: attribute "layout" is ${layout}; ONNX has 0 and 1`);
  const dirs = direction === "bidirectional" ? 2 : 1;
  const activation = activationOf(node, where, op, dirs, direction);
  const order = GATES_FROM_ONNX[op.cell];
  const G = order.length;

  const xv = ctx.input(node, 0, where);
  if (!xv) throw new OnnxImportError(`${where}: input "X" is missing`);
  const x = tensorOf(ctx, xv, where, `input "X"`);
  const W = constantInput(ctx, node, 1, where, `"W"`);
  const R = constantInput(ctx, node, 2, where, `"R"`);
  const H = R.dims[2];
  if (R.dims.length !== 3 || R.dims[0] !== dirs || R.dims[1] !== G * H) {
    throw new OnnxImportError(`${where}: input "R" is [${R.dims.join(", ")}]; a ${direction} ${node.opType} has [${dirs}, ${G}·hidden, hidden]`);
  }
  const hiddenSize = a.int("hidden_size");
  if (hiddenSize !== undefined && hiddenSize !== H)
    throw new OnnxImportError(`${where}: attribute "hidden_size" is ${hiddenSize}, but input "R" is [${R.dims.join(", ")}]`);
  const inputs = W.dims[2];
  if (W.dims.length !== 3 || W.dims[0] !== dirs || W.dims[1] !== G * H) {
    throw new OnnxImportError(`${where}: input "W" is [${W.dims.join(", ")}]; with hidden ${H} it must be [${dirs}, ${G * H}, input]`);
  }
  const B = biasOf(ctx, node, where, dirs, G * H);
  if (op.cell === "lstm") refusePeepholes(ctx, node, where);
  checkInput(ctx, x, where, layout, inputs);
  lengthsOf(ctx, node, where);

  const k = ctx.layers.length;
  const name = `layers.${k}`;
  const suffixes = dirs === 2 ? ["", "_reverse"] : [""];
  const states = { h: suffixes.map((s) => `${name}.h${s}`), ...(op.cell === "lstm" ? { c: suffixes.map((s) => `${name}.c${s}`) } : {}) };
  const spec: LayerSpec = {
    cell: op.cell,
    hidden: H,
    ...(op.cell === "rnn" && activation !== "tanh" ? { activation } : {}),
    ...(op.cell === "gru" ? { resetAfter: (a.int("linear_before_reset", 0) ?? 0) !== 0 } : {}),
    ...(dirs === 2 ? { bidirectional: true } : {}),
    ...(direction === "reverse" ? { direction: "reverse" as const } : {}),
  };
  const layer: ImportedLayer = { index: k, where, node, spec, dirs, hidden: H, inputs, layout, states };
  suffixes.forEach((s, d) => {
    ctx.weights[`${name}.W_in${s}`] = { shape: [inputs, G * H], values: gateMatrix(W.values, d, order, H, inputs) };
    ctx.weights[`${name}.W_re${s}`] = { shape: [H, G * H], values: gateMatrix(R.values, d, order, H, H) };
    const [wb, rb] = [gateVector(B, d, 0, order, H), gateVector(B, d, 1, order, H)];
    if (op.cell === "gru") {
      ctx.weights[`${name}.b_in${s}`] = { shape: [G * H], values: wb };
      ctx.weights[`${name}.b_re${s}`] = { shape: [G * H], values: rb };
    } else {
      // one bias: ONNX adds Wb and Rb to the same pre-activation
      ctx.weights[`${name}.b${s}`] = { shape: [G * H], values: wb.map((v, i) => v + rb[i]) };
    }
  });
  ctx.double ||= W.double || R.double;
  initialStateOf(ctx, node, 5, "initial_h", layer, states.h, where);
  if (states.c) initialStateOf(ctx, node, 6, "initial_c", layer, states.c, where);
  ctx.layers.push(layer);

  const sizes = { direction: dirs, hidden: H };
  const seqAxes: Axis[] = layout === 0 ? [["time"], ["direction"], ["batch"], ["hidden"]] : [["batch"], ["time"], ["direction"], ["hidden"]];
  const finalAxes: Axis[] = layout === 0 ? [["direction"], ["batch"], ["hidden"]] : [["batch"], ["direction"], ["hidden"]];
  const final = (cell: boolean, names: readonly string[]): ImportValue => ({
    kind: "tensor",
    source: { kind: "final", states: names, layers: [layer], cell },
    axes: finalAxes,
    sizes,
  });
  return [{ kind: "tensor", source: { kind: "sequence", layer }, axes: seqAxes, sizes }, final(false, states.h), ...(states.c ? [final(true, states.c)] : [])];
}

/** Input B `[dirs, 2·G·H]` (Wb then Rb per direction), zeros when absent. */
function biasOf(ctx: ImportContext, node: OnnxNode, where: string, dirs: number, width: number): Float64Array {
  const v = ctx.input(node, 3, where);
  if (!v || v.kind === "zeros") return new Float64Array(dirs * 2 * width);
  const B = constantInput(ctx, node, 3, where, `"B"`);
  if (B.dims.join() !== [dirs, 2 * width].join())
    throw new OnnxImportError(`${where}: input "B" is [${B.dims.join(", ")}]; it must be [${dirs}, ${2 * width}]`);
  ctx.double ||= B.double;
  return B.values;
}

/** LSTM peepholes P: refused unless absent or all zero (which is no peephole at all). */
function refusePeepholes(ctx: ImportContext, node: OnnxNode, where: string): void {
  const v = ctx.input(node, 7, where);
  if (!v || v.kind === "zeros" || (v.kind === "constant" && v.tensor.values.every((p) => p === 0))) return;
  throw new OnnxImportError(`${where}: input "P" (peepholes) is not supported: unroll's lstm has no peephole connections`);
}

/** Rules of the recurrent operators. */
export const recurrentRules: Readonly<Record<string, OpRule>> = {
  RNN: (ctx, node, where) => readRecurrent(ctx, node, where, OPS.RNN),
  LSTM: (ctx, node, where) => readRecurrent(ctx, node, where, OPS.LSTM),
  GRU: (ctx, node, where) => readRecurrent(ctx, node, where, OPS.GRU),
};
