import { EMBEDDING_TABLE, type LayerSpec, type ModelSpec, type Tensor } from "@unroll/ir";
import { attr } from "../onnx/onnx-attributes.js";
import { OnnxDataType, type OnnxGraph, type OnnxValueInfo } from "../onnx/onnx-messages.js";
import { finalStateName, initialStateName, type ResolvedExportOptions } from "./export-options.js";
import { ONNX_GATE_BLOCKS, onnxGateBias, onnxGateRows } from "./gate-layout.js";
import { OnnxGraphWriter, OnnxNames, tensorValueInfo } from "./graph-writer.js";
import { SEQUENCE_LENS, writeSequenceMask } from "./sequence-mask.js";

const NODE_TYPES = { rnn: "RNN", lstm: "LSTM", gru: "GRU" } as const;
const ACTIVATIONS = { tanh: "Tanh", relu: "Relu", sigmoid: "Sigmoid" } as const;
const HEAD_ACTIVATIONS = { linear: undefined, sigmoid: "Sigmoid", tanh: "Tanh", softmax: "Softmax" } as const;

/**
 * Why ONNX's `RNN`, `LSTM` and `GRU` nodes cannot express a model spec, naming the field at fault, or undefined when
 * they can. Dropout is no obstacle: it is off at inference.
 */
export function nativeCellsRefusal(spec: ModelSpec): string | undefined {
  const k = spec.layers.findIndex((l) => l.layerNorm);
  if (k < 0) return undefined;
  return `layers[${k}].layerNorm: ONNX's ${NODE_TYPES[spec.layers[k].cell]} node has no layer normalization; export this model as Scan (cells "scan" or "auto")`;
}

/** One array of the values of every direction, one after the other (ONNX's leading `num_directions` axis). */
function stacked(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Per direction, ONNX's `B`: the input bias `Wb` then the recurrent bias `Rb` (ours has one bias but for the GRU). */
function onnxBias(layer: LayerSpec, param: (id: string) => Tensor, blocks: readonly number[]): Float64Array {
  const H = layer.hidden;
  if (layer.cell === "gru") return stacked([onnxGateBias(param("b_in"), blocks, H), onnxGateBias(param("b_re"), blocks, H)]);
  return stacked([onnxGateBias(param("b"), blocks, H), new Float64Array(blocks.length * H)]);
}

/** `sequence_lens > 0` as a column, bool `[B, 1]`: the rows that take at least one step. */
function startedRows(w: OnnxGraphWriter): string {
  const positive = w.temp("Greater", [SEQUENCE_LENS, w.constant("sequence_lens.zero", [], [0], "int32")], "sequence_lens.started");
  return w.temp("Unsqueeze", [positive, w.int64s("sequence_lens.started.axes", [1])], "sequence_lens.started.column");
}

/**
 * The main graph of a model spec whose layers ONNX's `RNN`, `LSTM` and `GRU` nodes express (see
 * {@link nativeCellsRefusal}): time-major input `x` `[T, B, I]` (int64 token ids `[T, B]` with an embedding, looked
 * up by `Gather`), one recurrent node per layer named after it (`layers.0`), the head as `MatMul`, `Add` and its
 * activation; outputs `output` `[T, B, O]` and `finalState.<state>` `[B, H]`.
 */
export function nativeCellsGraph(spec: ModelSpec, weights: Readonly<Record<string, Tensor>>, opts: ResolvedExportOptions): OnnxGraph {
  const names = new OnnxNames();
  const w = new OnnxGraphWriter(names, opts.dtype);
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  const finals: OnnxValueInfo[] = [];
  const x = names.take("x");
  inputs.push(spec.embedding ? tensorValueInfo(x, OnnxDataType.INT64, ["T", "B"]) : tensorValueInfo(x, w.floatType, ["T", "B", spec.input]));
  const lens = opts.sequenceLengths ? names.take(SEQUENCE_LENS) : "";
  if (lens) inputs.push(tensorValueInfo(lens, OnnxDataType.INT32, ["B"]));

  let feature = x;
  let width = spec.input;
  if (spec.embedding) {
    const table = weights[EMBEDDING_TABLE];
    w.initializer(names.take(EMBEDDING_TABLE), table.shape, table.data);
    feature = w.node("Gather", [EMBEDDING_TABLE, x], names.take("embedding.lookup"), [attr.int("axis", 0)]);
    width = spec.embedding.units;
  }

  let started: string | undefined;
  spec.layers.forEach((layer, k) => {
    const name = `layers.${k}`;
    const initialInputs = new Map<string, string>();
    const H = layer.hidden;
    const suffixes = layer.bidirectional ? ["", "_reverse"] : [""];
    const blocks = ONNX_GATE_BLOCKS[layer.cell];
    const gates = blocks.length * H;
    const param = (suffix: string) => (id: string) => weights[`${name}.${id}${suffix}`];
    const dirs = suffixes.length;
    const W = w.initializer(names.take(`${name}.W`), [dirs, gates, width], stacked(suffixes.map((s) => onnxGateRows(param(s)("W_in"), blocks, H))));
    const R = w.initializer(names.take(`${name}.R`), [dirs, gates, H], stacked(suffixes.map((s) => onnxGateRows(param(s)("W_re"), blocks, H))));
    const B = w.initializer(names.take(`${name}.B`), [dirs, 2 * gates], stacked(suffixes.map((s) => onnxBias(layer, param(s), blocks))));
    const states = layer.cell === "lstm" ? ["h", "c"] : ["h"];

    // initial_h / initial_c [dirs, B, H] from one graph input [B, H] per direction
    const initial = states.map((s) => {
      if (!opts.initialStates) return "";
      const perDir = suffixes.map((suffix) => {
        const input = names.take(initialStateName(`${name}.${s}${suffix}`));
        inputs.push(tensorValueInfo(input, w.floatType, ["B", H]));
        initialInputs.set(`${s}${suffix}`, input);
        return w.temp("Unsqueeze", [input, w.int64s(`${input}.axes`, [0])], `${input}.unsqueezed`);
      });
      return perDir.length === 1 ? perDir[0] : w.temp("Concat", perDir, `${name}.initial_${s}`, [attr.int("axis", 0)]);
    });

    const ys = [names.take(`${name}.Y`), ...states.map((s) => names.take(`${name}.Y_${s}`))];
    const direction = layer.bidirectional ? "bidirectional" : (layer.direction ?? "forward");
    const attributes = [attr.int("hidden_size", H), attr.string("direction", direction)];
    const activation = ACTIVATIONS[layer.activation ?? "tanh"];
    if (layer.cell === "rnn")
      attributes.push(
        attr.strings(
          "activations",
          suffixes.map(() => activation),
        ),
      );
    if (layer.cell === "gru") attributes.push(attr.int("linear_before_reset", (layer.resetAfter ?? true) ? 1 : 0));
    w.multi(NODE_TYPES[layer.cell], [feature, W, R, B, lens, ...initial], ys, attributes, name);

    // Y [T, dirs, B, H] to the next layer's [T, B, dirs·H], forward features first as our concat(h, h_reverse)
    const out = names.take(`${name}.out`);
    if (dirs === 1) w.node("Squeeze", [ys[0], w.int64s(`${name}.Y.axes`, [1])], out);
    else {
      const batchMajor = w.temp("Transpose", [ys[0]], `${name}.Y.transposed`, [attr.ints("perm", [0, 2, 1, 3])]);
      w.node("Reshape", [batchMajor, w.int64s(`${name}.out.shape`, [0, 0, -1])], out);
    }
    states.forEach((s, j) =>
      suffixes.forEach((suffix, d) => {
        const final = names.take(finalStateName(`${name}.${s}${suffix}`));
        const picked = [ys[j + 1], w.constant(`${name}.direction`, [], [d], "int64")];
        const given = initialInputs.get(`${s}${suffix}`);
        if (lens && given) {
          // a row of length 0 keeps its initial state in unroll; ONNX Runtime's recurrent nodes give it zeros
          const state = w.temp("Gather", picked, `${final}.state`, [attr.int("axis", 0)]);
          w.node("Where", [(started ??= startedRows(w)), state, given], final);
        } else w.node("Gather", picked, final, [attr.int("axis", 0)]);
        finals.push(tensorValueInfo(final, w.floatType, ["B", H]));
      }),
    );
    feature = out;
    width = dirs * H;
  });

  let result = feature;
  if (spec.head) {
    const { units, activation } = spec.head;
    for (const p of ["head.W", "head.b"]) w.initializer(names.take(p), weights[p].shape, weights[p].data);
    const logits = w.node("Add", [w.temp("MatMul", [feature, "head.W"], "head.matmul"), "head.b"], names.take("head.logits"));
    const op = HEAD_ACTIVATIONS[activation];
    result = op ? w.node(op, [logits], names.take("head.output"), op === "Softmax" ? [attr.int("axis", -1)] : []) : logits;
    width = units;
  }
  const output = names.take("output");
  if (lens && spec.head) {
    // the recurrent nodes already give 0 past a row's length; the head would turn that 0 into its bias
    const mask = w.temp("Unsqueeze", [writeSequenceMask(w, x), w.int64s("sequence_mask.axes", [2])], "sequence_mask.column");
    w.node("Where", [mask, result, w.scalar("zero", 0)], output);
  } else w.node("Identity", [result], output);
  outputs.push(tensorValueInfo(output, w.floatType, ["T", "B", width]), ...finals);
  return w.graph("unroll", inputs, outputs);
}
