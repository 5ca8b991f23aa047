import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { decodeOnnxModel, importOnnx } from "../src/index.js";
import { draw, expectImportAgrees, ortFloat, uniform } from "./support/onnx-recurrent-models.js";

// Models exported by PyTorch 1.13's torch.onnx.export (test/fixtures/make-torch-onnx.py writes them), imported as they
// come: zero initial states from ConstantOfShape, h0 sliced per layer, h_n as a Concat, h_n[0] as a Gather.
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/torch-${name}.onnx`, import.meta.url)));
const T = 7;
const B = 3;

describe("ONNX import of PyTorch exports agrees with ONNX Runtime", () => {
  it("nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True) + Linear + softmax", async () => {
    const bytes = fixture("lstm-stack");
    const next = uniform(401);
    const { imported } = await expectImportAgrees(decodeOnnxModel(bytes), { x: ortFloat([B, T, 3], draw(B * T * 3, next)) });
    expect(imported.model).toEqual({
      format: "unroll.model/1",
      input: 3,
      layers: [
        { cell: "lstm", hidden: 4, bidirectional: true },
        { cell: "lstm", hidden: 4, bidirectional: true },
      ],
      head: { units: 2, activation: "softmax" },
    });
    expect(imported.outputs.map((o) => o.role)).toEqual(["output", "finalStates", "finalStates"]);
    expect(importOnnx(bytes)).toEqual(imported);
  });

  it("nn.GRU(3, 5, num_layers=2) from a given h0, + Linear: h0 feeds both layers' initial states", async () => {
    const next = uniform(402);
    const feeds = { x: ortFloat([T, B, 3], draw(T * B * 3, next)), h0: ortFloat([2, B, 5], draw(2 * B * 5, next)) };
    const { imported } = await expectImportAgrees(decodeOnnxModel(fixture("gru-h0")), feeds);
    expect(imported.model.layers).toEqual([
      { cell: "gru", hidden: 5, resetAfter: true },
      { cell: "gru", hidden: 5, resetAfter: true },
    ]);
    expect(imported.inputs.find((r) => r.name === "h0")).toEqual({
      name: "h0",
      role: "initialState",
      axes: [["direction"], ["batch"], ["hidden"]],
      states: [["layers.0.h"], ["layers.1.h"]],
    });
  });

  it("a bidirectional relu nn.RNN under a tanh nn.RNN, sigmoid(Linear(h_n[0])): the head at each row's last step", async () => {
    const next = uniform(403);
    const { imported } = await expectImportAgrees(decodeOnnxModel(fixture("rnn-last-state")), { x: ortFloat([T, B, 3], draw(T * B * 3, next)) });
    expect(imported.model.layers).toEqual([
      { cell: "rnn", hidden: 4, activation: "relu", bidirectional: true },
      { cell: "rnn", hidden: 5 },
    ]);
    expect(imported.outputs).toEqual([{ name: "p", role: "finalOutput", axes: [["batch"], ["features"]], step: "last" }]);
  });

  it("nn.Embedding(10, 4) + nn.LSTM(4, 6, batch_first=True) + Linear on int64 token ids", async () => {
    const ids = Array.from({ length: B * T }, (_, i) => (i * 7 + 2) % 10);
    const { imported } = await expectImportAgrees(decodeOnnxModel(fixture("embedded-lstm")), {
      ids: new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [B, T]),
    });
    expect(imported.model.embedding).toEqual({ vocab: 10, units: 4 });
    expect(imported.inputs).toEqual([{ name: "ids", role: "x", axes: [["batch"], ["time"]], tokenIds: true }]);
  });
});
