// The models the ONNX export tests run through ONNX Runtime and the ONNX checker.
import { GraphBuilder, type ModelSpec, type StepGraph } from "@unroll/ir";
import type { ExportOnnxOptions } from "../../src/index.js";

/** One model to export, and how to feed it. */
export interface ExportCase {
  /** The test's name (and the file's, for the checker). */
  readonly name: string;
  /** The model document as a user gives it. */
  readonly document: unknown;
  /** Export options. */
  readonly options?: ExportOnnxOptions;
  /** Per-row lengths (sets `sequenceLengths`). */
  readonly lengths?: readonly number[];
  /** Feed every state's initial value (sets `initialStates`). */
  readonly initialStates?: boolean;
  /** The vocabulary of each data sequence of token ids. */
  readonly ids?: Record<string, number>;
  /** The recurrent ONNX node types the main graph must hold, in order. */
  readonly cells: readonly string[];
}

/** The export options of a case, with the lengths and states it feeds. */
export function caseOptions(c: ExportCase): ExportOnnxOptions {
  return { ...c.options, ...(c.lengths ? { sequenceLengths: true } : {}), ...(c.initialStates ? { initialStates: true } : {}) };
}

const spec = (s: Omit<ModelSpec, "format">): ModelSpec => ({ format: "unroll.model/1", ...s });

/** Model specs that ONNX's RNN, LSTM and GRU nodes express. */
export const nativeCases: readonly ExportCase[] = [
  { name: "rnn-tanh", document: spec({ input: 3, layers: [{ cell: "rnn", hidden: 4 }] }), cells: ["RNN"] },
  { name: "rnn-relu", document: spec({ input: 3, layers: [{ cell: "rnn", hidden: 4, activation: "relu" }] }), cells: ["RNN"] },
  { name: "rnn-sigmoid", document: spec({ input: 3, layers: [{ cell: "rnn", hidden: 4, activation: "sigmoid" }] }), cells: ["RNN"] },
  { name: "lstm", document: spec({ input: 3, layers: [{ cell: "lstm", hidden: 4 }] }), cells: ["LSTM"] },
  { name: "gru-reset-after", document: spec({ input: 3, layers: [{ cell: "gru", hidden: 4 }] }), cells: ["GRU"] },
  { name: "gru-reset-before", document: spec({ input: 3, layers: [{ cell: "gru", hidden: 4, resetAfter: false }] }), cells: ["GRU"] },
  {
    name: "stacked",
    document: spec({
      input: 3,
      layers: [
        { cell: "rnn", hidden: 5, activation: "relu" },
        { cell: "lstm", hidden: 4 },
        { cell: "gru", hidden: 3, resetAfter: false },
      ],
    }),
    cells: ["RNN", "LSTM", "GRU"],
  },
  { name: "lstm-bidirectional", document: spec({ input: 3, layers: [{ cell: "lstm", hidden: 4, bidirectional: true }] }), cells: ["LSTM"] },
  {
    name: "stacked-bidirectional",
    document: spec({
      input: 2,
      layers: [
        { cell: "gru", hidden: 3, bidirectional: true },
        { cell: "rnn", hidden: 4, activation: "sigmoid", bidirectional: true },
        { cell: "lstm", hidden: 3 },
      ],
      head: { units: 3, activation: "softmax" },
    }),
    cells: ["GRU", "RNN", "LSTM"],
  },
  {
    name: "lengths-initial-states",
    document: spec({
      input: 3,
      layers: [
        { cell: "lstm", hidden: 4, bidirectional: true },
        { cell: "gru", hidden: 3 },
        { cell: "rnn", hidden: 2, bidirectional: true },
      ],
      head: { units: 2, activation: "tanh" },
    }),
    lengths: [5, 2, 1, 4],
    initialStates: true,
    cells: ["LSTM", "GRU", "RNN"],
  },
  {
    name: "head-linear",
    document: spec({ input: 3, layers: [{ cell: "gru", hidden: 4 }], head: { units: 2, activation: "linear" }, loss: "mse" }),
    cells: ["GRU"],
  },
  { name: "head-sigmoid", document: spec({ input: 3, layers: [{ cell: "rnn", hidden: 4 }], head: { units: 2, activation: "sigmoid" } }), cells: ["RNN"] },
  { name: "head-tanh", document: spec({ input: 3, layers: [{ cell: "lstm", hidden: 4 }], head: { units: 3, activation: "tanh" } }), cells: ["LSTM"] },
  {
    name: "head-softmax",
    document: spec({ input: 3, layers: [{ cell: "lstm", hidden: 4 }], head: { units: 3, activation: "softmax" }, loss: "cross_entropy" }),
    ids: { y: 3 },
    cells: ["LSTM"],
  },
  {
    name: "embedding",
    document: spec({ input: 7, embedding: { vocab: 7, units: 3 }, layers: [{ cell: "lstm", hidden: 4 }], head: { units: 7, activation: "softmax" } }),
    ids: { x: 7 },
    cells: ["LSTM"],
  },
  {
    name: "embedding-bidirectional-lengths",
    document: spec({
      input: 6,
      embedding: { vocab: 6, units: 4 },
      layers: [{ cell: "gru", hidden: 3, bidirectional: true, dropout: 0.2 }],
      head: { units: 2, activation: "sigmoid", dropout: 0.1 },
    }),
    ids: { x: 6 },
    lengths: [3, 5, 1],
    cells: ["GRU"],
  },
];

/** The gated cell of docs/guides/composing-a-custom-cell.md, with its target and loss. */
export function gatedCellGraph(): StepGraph {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", 1]);
  const y = b.input("y", ["B", 1]);
  const h = b.carry("h", ["B", 8]);
  const z = b.sigmoid(b.add(b.matmul(x, b.param("W_z", [1, 8])), b.param("b_z", [8])));
  const candidate = b.tanh(b.add(b.matmul(x, b.param("W", [1, 8])), b.matmul(h, b.param("U", [8, 8]))));
  const hNext = b.add(b.mul(z, h), b.mul(b.sub(b.scalar(1), z), candidate));
  b.update(h, hNext);
  const out = b.matmul(hNext, b.param("W_out", [8, 1]));
  b.output("output", out);
  b.loss(b.mse(out, y));
  return b.toGraph("gated");
}

/** Models that need `Scan`: custom cells, layer norm, and specs asked to be written as Scan. */
export const scanCases: readonly ExportCase[] = [
  { name: "gated-custom-cell", document: gatedCellGraph(), cells: ["Scan"] },
  { name: "gated-custom-cell-lengths", document: gatedCellGraph(), lengths: [6, 3, 1, 0], initialStates: true, cells: ["Scan"] },
  {
    name: "layer-norm-lstm",
    document: spec({ input: 3, layers: [{ cell: "lstm", hidden: 4, layerNorm: true }], head: { units: 2, activation: "softmax" } }),
    cells: ["Scan"],
  },
  {
    name: "layer-norm-bidirectional-lengths",
    document: spec({
      input: 3,
      layers: [
        { cell: "gru", hidden: 4, layerNorm: true, bidirectional: true, dropout: 0.3, recurrentDropout: 0.2 },
        { cell: "rnn", hidden: 3, layerNorm: true, activation: "relu" },
        { cell: "lstm", hidden: 3, layerNorm: true, bidirectional: true },
      ],
      head: { units: 2, activation: "linear", dropout: 0.1 },
      loss: "mse",
    }),
    lengths: [5, 1, 3],
    initialStates: true,
    cells: ["Scan", "Scan", "Scan", "Scan", "Scan", "Scan"],
  },
  {
    name: "bidirectional-as-scan",
    document: spec({
      input: 3,
      layers: [
        { cell: "lstm", hidden: 4, bidirectional: true },
        { cell: "gru", hidden: 3 },
      ],
    }),
    options: { cells: "scan" },
    lengths: [2, 5, 4],
    cells: ["Scan", "Scan", "Scan"],
  },
  {
    name: "embedding-as-scan",
    document: spec({ input: 5, embedding: { vocab: 5, units: 3 }, layers: [{ cell: "rnn", hidden: 4 }], head: { units: 5, activation: "softmax" } }),
    options: { cells: "scan" },
    ids: { x: 5 },
    cells: ["Scan"],
  },
];
