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
    lengths: [2, 5, 4],
    cells: ["RNN", "LSTM", "GRU"],
  },
  {
    name: "lstm-bidirectional-lengths",
    document: spec({ input: 3, layers: [{ cell: "lstm", hidden: 4, bidirectional: true }] }),
    lengths: [5, 3, 1],
    cells: ["LSTM"],
  },
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
    // a row of length 0 keeps its initial state
    lengths: [5, 2, 0, 4],
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

/**
 * A step graph that uses every op of our op set (matmul in its three forms), all feeding its output, so that the
 * export of each op is checked by ONNX Runtime's numbers.
 */
export function everyOpGraph(): StepGraph {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", 3]);
  const cls = b.input("cls", ["B"]);
  const h = b.carry("h", ["B", 4], 0.25);
  const bias = b.param("b", [4]);
  const s = b.add(b.add(b.matmul(x, b.param("W", [3, 4])), b.matmul(h, b.param("U", [4, 4]), { transposeB: true })), bias);
  // the batch's gram matrix xᵀx, summed and divided by the element count B·3
  const gram = b.div(b.sum(b.matmul(x, x, { transposeA: true })), b.countOf(x));
  const shifted = b.sub(s, b.neg(b.mul(gram, b.countOf(x, [1]))));
  const table = b.gather(b.param("E", [4, 4]), cls);
  const hot = b.oneHot(cls, 4);
  const t = b.tanh(shifted);
  const sg = b.sigmoid(table);
  const gated = b.mul(b.mul(b.relu(s), b.step(s)), b.scalar(0.1));
  const soft = b.log(b.add(b.exp(b.neg(b.relu(s))), b.scalar(1)));
  const norm = b.rsqrt(b.add(b.mul(s, s), b.scalar(1)));
  const both = b.concat(t, sg);
  const window = b.slice(b.pad(b.slice(both, 2, 6), 1, 2), 0, 4);
  const blocks = b.reshape(window, ["B", 2, 2]);
  const swapped = b.reshape(b.transpose(blocks, [0, 2, 1]), ["B", 4]);
  // the other transposed matmuls: a stack [B, 2, 2] contracted over its leading axes, and Uᵀ·Uᵀ
  const contracted = b.add(b.sum(b.matmul(blocks, blocks, { transposeA: true })), b.sum(b.matmul("U", "U", { transposeA: true, transposeB: true })));
  const centered = b.broadcastTo(b.mean(s, { axes: [-1], keepDims: true }), s);
  // sumTo over a leading axis ([B, 4] to [4]), along an axis of size 1 ([B, 4] to [1, 4] and to [B, 1])
  const mean = b.mean(s, { axes: [-1], keepDims: true });
  const sums = [b.sumTo(s, bias), b.sumTo(s, b.reshape(bias, [1, 4])), b.sumTo(s, mean)].map((v) => b.mul(v, b.scalar(0.01)));
  const terms = [
    t,
    b.mul(sg, hot),
    gated,
    soft,
    norm,
    b.softmax(s),
    b.mul(b.logSoftmax(s), b.scalar(0.1)),
    swapped,
    centered,
    ...sums,
    b.mul(contracted, b.scalar(0.01)),
  ];
  const hNext = b.tanh(
    b.add(
      terms.reduce((acc, v) => b.add(acc, v)),
      b.constant([0.1, -0.2, 0.3, 0], [4]),
    ),
  );
  b.update(h, hNext);
  const perRow = [b.mse(t, b.softmax(s)), b.softmaxCrossEntropy(s, cls), b.sum(s, { axes: [1] })].map((v) => b.reshape(v, ["B", 1]));
  b.output("output", b.identity(b.concat(hNext, ...perRow)));
  return b.toGraph("every op");
}
