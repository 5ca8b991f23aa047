import { loadProgram } from "@unroll/ir";
import { describe, expect, it } from "vitest";
import { exportOnnx } from "../src/index.js";
import { attributesOf } from "../src/onnx/onnx-attributes.js";
import { onnxTensorValues } from "../src/onnx/onnx-tensor.js";
import { caseOptions, nativeCases } from "./support/export-cases.js";
import { expectSameRun, randomInputs, randomWeights, runOnnx, runUnroll } from "./support/onnx-run.js";

const RECURRENT = new Set(["RNN", "LSTM", "GRU"]);

describe("ONNX export of built-in cells as RNN, LSTM and GRU nodes", () => {
  nativeCases.forEach((c, i) => {
    it(`${c.name}: ONNX Runtime gives runForward's outputs and final states to 1e-5`, async () => {
      const program = loadProgram(c.document);
      const weights = randomWeights(program, 100 + i, "float32");
      const inputs = randomInputs(program, 200 + i, "float32", { steps: 5, batch: c.lengths?.length ?? 3, ...c });
      const model = exportOnnx(c.document, weights, caseOptions(c));
      const nodes = model.graph!.node!;
      expect(nodes.filter((n) => RECURRENT.has(n.opType!)).map((n) => [n.opType, n.name])).toEqual(c.cells.map((op, k) => [op, `layers.${k}`]));
      expect(nodes.some((n) => n.opType === "Scan" || n.opType === "Dropout")).toBe(false);
      const expected = await runUnroll(c.document, weights, inputs, "float32");
      expectSameRun(await runOnnx(model, inputs, "float32"), expected, 1e-5);
    });
  });

  it("maps the gate blocks: LSTM i,f,g,o to ONNX i,o,f,c, GRU r,z,n to z,r,h, W_in [I, 4H] to W [1, 4H, I], one bias into Wb", () => {
    const H = 2;
    const I = 1;
    // each gate block of ours holds its block index k, so ONNX's order reads straight off
    const blocks = (gates: number, rows: number) => ({
      shape: [rows, gates * H],
      data: Float32Array.from({ length: rows * gates * H }, (_, j) => Math.floor((j % (gates * H)) / H)),
    });
    const bias = (gates: number, base: number) => ({ shape: [gates * H], data: Float32Array.from({ length: gates * H }, (_, j) => base + Math.floor(j / H)) });
    const lstm = exportOnnx(
      { input: I, layers: [{ cell: "lstm", hidden: H }] },
      { "layers.0.W_in": blocks(4, I), "layers.0.W_re": blocks(4, H), "layers.0.b": bias(4, 10) },
    );
    const init = (name: string) => lstm.graph!.initializer!.find((t) => t.name === name)!;
    expect(init("layers.0.W").dims).toEqual([1, 4 * H, I]);
    expect(Array.from(onnxTensorValues(init("layers.0.W")))).toEqual([0, 0, 3, 3, 1, 1, 2, 2]);
    expect(init("layers.0.R").dims).toEqual([1, 4 * H, H]);
    expect(Array.from(onnxTensorValues(init("layers.0.B")))).toEqual([10, 10, 13, 13, 11, 11, 12, 12, 0, 0, 0, 0, 0, 0, 0, 0]);

    const gru = exportOnnx(
      { input: I, layers: [{ cell: "gru", hidden: H, resetAfter: false }] },
      { "layers.0.W_in": blocks(3, I), "layers.0.W_re": blocks(3, H), "layers.0.b_in": bias(3, 10), "layers.0.b_re": bias(3, 20) },
    );
    const gruInit = (name: string) => Array.from(onnxTensorValues(gru.graph!.initializer!.find((t) => t.name === name)!));
    expect(gruInit("layers.0.W")).toEqual([1, 1, 0, 0, 2, 2]);
    expect(gruInit("layers.0.B")).toEqual([11, 11, 10, 10, 12, 12, 21, 21, 20, 20, 22, 22]);
    const node = gru.graph!.node!.find((n) => n.opType === "GRU")!;
    expect(attributesOf(node).int("linear_before_reset")).toBe(0);
    expect(attributesOf(node).int("hidden_size")).toBe(H);
  });

  it("writes a float64 spec as Scan, which ONNX Runtime runs (its recurrent nodes are float32 only), or as native nodes when asked", async () => {
    const c = nativeCases.find((k) => k.name === "lengths-initial-states")!;
    const program = loadProgram(c.document);
    const weights = randomWeights(program, 11, "float64");
    const inputs = randomInputs(program, 12, "float64", { steps: 5, batch: 4, ...c });
    const model = exportOnnx(c.document, weights, { ...caseOptions(c), dtype: "float64" });
    expect(model.graph!.node!.filter((n) => n.opType === "Scan")).toHaveLength(6);
    expectSameRun(await runOnnx(model, inputs, "float64"), await runUnroll(c.document, weights, inputs, "float64"), 1e-12);
    const native = exportOnnx(c.document, weights, { ...caseOptions(c), dtype: "float64", cells: "native" });
    expect(native.graph!.node!.filter((n) => RECURRENT.has(n.opType!)).map((n) => n.opType)).toEqual(c.cells);
    expect(native.graph!.initializer!.every((t) => t.dataType === 11)).toBe(true);
  });

  it("names the inputs and outputs as unroll's data and OUT: x, sequence_lens, initialState.<state>, output, finalState.<state>", () => {
    const document = { input: 3, layers: [{ cell: "lstm", hidden: 4, bidirectional: true }], head: { units: 2, activation: "softmax" } };
    const weights = randomWeights(loadProgram(document), 1, "float32");
    const model = exportOnnx(document, weights, { sequenceLengths: true, initialStates: true });
    expect(model.irVersion).toBe(8);
    expect(model.opsetImport).toEqual([{ domain: "", version: 17 }]);
    expect(model.graph!.input!.map((i) => i.name)).toEqual([
      "x",
      "sequence_lens",
      "initialState.layers.0.h",
      "initialState.layers.0.h_reverse",
      "initialState.layers.0.c",
      "initialState.layers.0.c_reverse",
    ]);
    expect(model.graph!.output!.map((o) => o.name)).toEqual([
      "output",
      "finalState.layers.0.h",
      "finalState.layers.0.h_reverse",
      "finalState.layers.0.c",
      "finalState.layers.0.c_reverse",
    ]);
    const x = model.graph!.input![0].type!.tensorType!.shape!.dim!;
    expect(x).toEqual([{ dimParam: "T" }, { dimParam: "B" }, { dimValue: 3 }]);
    expect(model.graph!.node!.filter((n) => n.name?.startsWith("head")).map((n) => n.opType)).toEqual(["MatMul", "Add", "Softmax"]);
  });

  it("refuses weights that do not fit the model, naming the parameter and both shapes", () => {
    const document = { input: 3, layers: [{ cell: "rnn", hidden: 4 }] };
    const weights = randomWeights(loadProgram(document), 1, "float32");
    expect(() => exportOnnx(document, { ...weights, "layers.0.W_re": weights["layers.0.W_in"] })).toThrow(
      'parameter "layers.0.W_re" has shape [3, 4] but the model expects [4, 4]',
    );
    const { ["layers.0.b"]: _, ...missing } = weights;
    expect(() => exportOnnx(document, missing)).toThrow('parameter "layers.0.b" is missing from the weights; expected shape [4]');
    expect(() => exportOnnx(document, { ...weights, extra: weights["layers.0.b"] })).toThrow('"extra" is not a parameter of this model');
  });

  it('refuses cells "native" for a layer ONNX nodes cannot express, naming the layer', () => {
    const document = {
      input: 3,
      layers: [
        { cell: "rnn", hidden: 4 },
        { cell: "lstm", hidden: 4, layerNorm: true },
      ],
    };
    const weights = randomWeights(loadProgram(document), 1, "float32");
    expect(() => exportOnnx(document, weights, { cells: "native" })).toThrow("layers[1].layerNorm: ONNX's LSTM node has no layer normalization");
  });
});
