import { loadProgram, parseModelSpec, type ModelSpec, type Tensor } from "@unroll/ir";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { exportOnnx, importOnnxRecurrent } from "../src/index.js";
import { caseOptions, nativeCases, type ExportCase } from "./support/export-cases.js";
import { expectImportAgrees } from "./support/onnx-recurrent-models.js";
import { randomInputs, randomWeights, runUnroll } from "./support/onnx-run.js";

// unroll's own ONNX export of built-in cells (RNN, LSTM and GRU nodes, with the initial states as [B, H] inputs and a
// step mask on the head) imports back as the same spec and the same weights, and both runs agree: unroll on the import
// with ONNX Runtime on the export, everywhere (the masked head is 0 past each row's length in both).

/** What an imported spec says about a model, whatever defaults the original left out (no loss, no dropout: inference). */
function meaning(spec: ModelSpec) {
  const s = parseModelSpec(spec);
  return {
    input: s.input,
    layers: s.layers.map((l) => ({
      cell: l.cell,
      hidden: l.hidden,
      activation: l.cell === "rnn" ? (l.activation ?? "tanh") : undefined,
      resetAfter: l.cell === "gru" ? (l.resetAfter ?? true) : undefined,
      bidirectional: l.bidirectional ?? false,
      direction: l.direction ?? "forward",
    })),
    head: s.head && { units: s.head.units, activation: s.head.activation },
    embedding: s.embedding && { vocab: s.embedding.vocab, units: s.embedding.units },
  };
}

/** The ONNX feeds of a run's inputs: x (int64 ids with an embedding), sequence_lens, initialState.<state>. */
function feedsOf(inputs: ReturnType<typeof randomInputs>, tokenIds: boolean): Record<string, ort.Tensor> {
  const x = inputs.sequences.x;
  const feeds: Record<string, ort.Tensor> = {
    x: tokenIds
      ? new ort.Tensor("int64", BigInt64Array.from(Array.from(x.data, (v) => BigInt(v))), [...x.shape])
      : new ort.Tensor("float32", Float32Array.from(x.data), [...x.shape]),
  };
  if (inputs.lengths) feeds.sequence_lens = new ort.Tensor("int32", Int32Array.from(inputs.lengths), [inputs.lengths.length]);
  for (const [name, t] of Object.entries(inputs.initialState ?? {}))
    feeds[`initialState.${name}`] = new ort.Tensor("float32", Float32Array.from(t.data), [...t.shape]);
  return feeds;
}

const reverseCases: readonly ExportCase[] = [
  {
    name: "reverse-layers",
    document: {
      format: "unroll.model/1",
      input: 3,
      layers: [
        { cell: "lstm", hidden: 4, direction: "reverse" },
        { cell: "gru", hidden: 3 },
        { cell: "rnn", hidden: 2, activation: "relu", direction: "reverse" },
      ],
      head: { units: 2, activation: "softmax" },
    },
    lengths: [5, 2, 4],
    initialStates: true,
    cells: ["LSTM", "GRU", "RNN"],
  },
];

describe("unroll's ONNX export of built-in cells imports back", () => {
  [...nativeCases, ...reverseCases].forEach((c, i) => {
    it(`${c.name}: the same spec and weights, and ONNX Runtime on the export agrees with unroll on the import`, async () => {
      const program = loadProgram(c.document);
      const weights = randomWeights(program, 500 + i, "float32");
      const model = exportOnnx(c.document, weights, caseOptions(c));
      const imported = importOnnxRecurrent(model);
      expect(meaning(imported.model)).toEqual(meaning(c.document as ModelSpec));
      expect(Object.keys(imported.weights).sort()).toEqual(Object.keys(weights).sort());
      for (const [name, w] of Object.entries(weights)) expect(imported.weights[name], name).toEqual<Tensor>(w);
      const inputs = randomInputs(program, 600 + i, "float32", { steps: 5, batch: c.lengths?.length ?? 3, ...c });
      const { ours } = await expectImportAgrees(model, feedsOf(inputs, c.ids?.x !== undefined));
      // and the import runs as the original does
      const original = await runUnroll(c.document, weights, inputs, "float32");
      expect(Array.from(ours.result.outputs.data)).toEqual(Array.from(original.output.data));
      if (c.lengths && (c.document as ModelSpec).head) expect(imported.outputs.find((o) => o.name === "output")).toMatchObject({ zeroPastLengths: true });
    });
  });
});
