import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { OnnxDataType, type OnnxModel } from "../src/index.js";
import { attr } from "../src/onnx/onnx-attributes.js";
import { onnxTensor } from "../src/onnx/onnx-tensor.js";
import {
  draw,
  expectImportAgrees,
  layoutZeroEquivalent,
  onnxModel,
  ortFloat,
  recurrentNode,
  uniform,
  valueInfo,
  type RecurrentCase,
} from "./support/onnx-recurrent-models.js";

// One RNN, LSTM or GRU node of the ONNX specification, imported and run by unroll, against ONNX Runtime on the same
// feeds: Y, Y_h (and Y_c) agree to 1e-5 in float32, for every direction and layout, with sequence lengths and
// initial states given as graph inputs.
const T = 5;
const B = 3;
const I = 3;
const H = 4;
const LENGTHS = [5, 2, 4];

interface SingleCase extends Partial<RecurrentCase> {
  readonly op: RecurrentCase["op"];
  readonly withLengths?: boolean;
  /** Initial states as graph inputs, as constants (initializers), or none. */
  readonly initial?: "input" | "constant";
  readonly seed: number;
}

/** A model of one node whose outputs are the graph outputs, and feeds for it. */
function singleNode(c: SingleCase): { model: OnnxModel; feeds: Record<string, ort.Tensor> } {
  const next = uniform(c.seed);
  const dirs = c.direction === "bidirectional" ? 2 : 1;
  const layout = c.layout ?? 0;
  const stateDims = layout === 0 ? [dirs, B, H] : [B, dirs, H];
  const { node, initializers } = recurrentNode(
    {
      name: "rec",
      x: "x",
      inputSize: I,
      hidden: H,
      ...c,
      ...(c.withLengths ? { lengths: "lens" } : {}),
      ...(c.initial ? { initialH: "h0", ...(c.op === "LSTM" ? { initialC: "c0" } : {}) } : {}),
    },
    next,
  );
  const xDims = layout === 0 ? [T, B, I] : [B, T, I];
  const inputs = [valueInfo("x", layout === 0 ? ["T", "B", I] : ["B", "T", I])];
  const feeds: Record<string, ort.Tensor> = { x: ortFloat(xDims, draw(T * B * I, next)) };
  if (c.withLengths) {
    inputs.push(valueInfo("lens", ["B"], OnnxDataType.INT32));
    feeds.lens = new ort.Tensor("int32", Int32Array.from(LENGTHS), [B]);
  }
  for (const s of c.initial ? (c.op === "LSTM" ? ["h0", "c0"] : ["h0"]) : []) {
    const values = draw(dirs * B * H, next, 0.8);
    if (c.initial === "constant") initializers.push(onnxTensor(s, stateDims, values, "float32"));
    else {
      inputs.push(valueInfo(s, layout === 0 ? [dirs, "B", H] : ["B", dirs, H]));
      feeds[s] = ortFloat(stateDims, values);
    }
  }
  const outputs = node.output!.map((o) => valueInfo(o, undefined));
  return { model: onnxModel({ nodes: [node], initializers, inputs, outputs }), feeds };
}

/** Imports and runs one case both ways; layout 1 runs in ONNX Runtime as its layout-0 rewriting. */
async function agree(c: SingleCase) {
  const { model, feeds } = singleNode(c);
  return expectImportAgrees(model, feeds, c.layout === 1 ? layoutZeroEquivalent(model) : model);
}

describe("ONNX import of one recurrent node agrees with ONNX Runtime", () => {
  const ops = ["RNN", "LSTM", "GRU"] as const;
  const directions = ["forward", "reverse", "bidirectional"] as const;
  let seed = 100;
  for (const op of ops) {
    for (const direction of directions) {
      for (const layout of [0, 1] as const) {
        const s = seed++;
        it(`${op} ${direction}, layout ${layout}, with sequence lengths and initial states`, async () => {
          const { imported } = await agree({ op, direction, layout, withLengths: true, initial: "input", seed: s });
          const layer = imported.model.layers[0];
          expect(layer.cell).toBe(op.toLowerCase());
          expect(layer.bidirectional ?? false).toBe(direction === "bidirectional");
          expect(layer.direction ?? "forward").toBe(direction === "reverse" ? "reverse" : "forward");
          expect(imported.inputs.map((r) => r.role).sort()).toEqual(
            op === "LSTM" ? ["initialState", "initialState", "lengths", "x"] : ["initialState", "lengths", "x"],
          );
        });
      }
    }
  }

  it.each(["Tanh", "Relu", "Sigmoid"])("RNN with activations [%s], and both directions with it", async (f) => {
    const { imported } = await agree({ op: "RNN", attributes: [attr.strings("activations", [f])], withLengths: true, seed: 201 });
    expect(imported.model.layers[0]).toEqual(f === "Tanh" ? { cell: "rnn", hidden: H } : { cell: "rnn", hidden: H, activation: f.toLowerCase() });
    const bi = await agree({ op: "RNN", direction: "bidirectional", attributes: [attr.strings("activations", [f, f])], initial: "input", seed: 202 });
    expect(bi.imported.model.layers[0].activation ?? "tanh").toBe(f.toLowerCase());
  });

  it("LSTM and GRU with their default activations given explicitly", async () => {
    await agree({
      op: "LSTM",
      direction: "bidirectional",
      attributes: [attr.strings("activations", ["Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh"])],
      seed: 203,
    });
    await agree({ op: "GRU", direction: "reverse", attributes: [attr.strings("activations", ["Sigmoid", "Tanh"])], seed: 204 });
  });

  it.each([0, 1])("GRU with linear_before_reset %i is unroll's resetAfter (false, true)", async (lbr) => {
    for (const direction of directions) {
      const { imported } = await agree({
        op: "GRU",
        direction,
        attributes: [attr.int("linear_before_reset", lbr)],
        withLengths: true,
        initial: "input",
        seed: 210 + lbr,
      });
      expect(imported.model.layers[0].resetAfter).toBe(lbr === 1);
    }
  });

  it.each(ops)("%s without B: zero biases", async (op) => {
    const { imported } = await agree({ op, direction: "bidirectional", noBias: true, initial: "input", seed: 220 });
    const biases = Object.entries(imported.weights).filter(([name]) => /\.b/.test(name));
    expect(biases.length).toBeGreaterThan(0);
    for (const [, b] of biases) expect(Array.from(b.data).every((v) => v === 0)).toBe(true);
  });

  it.each(ops)("%s with constant initial states: kept for DATA's initialState", async (op) => {
    const { imported, ours } = await agree({ op, direction: "bidirectional", initial: "constant", withLengths: true, seed: 230 });
    const names = op === "LSTM" ? ["layers.0.c", "layers.0.c_reverse", "layers.0.h", "layers.0.h_reverse"] : ["layers.0.h", "layers.0.h_reverse"];
    expect(Object.keys(imported.initialState).sort()).toEqual(names);
    expect(Object.keys(ours.data.initialState!).sort()).toEqual(names);
    expect(imported.inputs.map((r) => r.role).sort()).toEqual(["lengths", "x"]);
  });

  it.each(ops)("%s without hidden_size (ONNX Runtime needs it; the import reads it from R): the same import", async (op) => {
    const { importOnnxRecurrent } = await import("../src/index.js");
    const without = importOnnxRecurrent(singleNode({ op, direction: "reverse", writeHiddenSize: false, seed: 231 }).model);
    expect(without).toEqual(importOnnxRecurrent(singleNode({ op, direction: "reverse", seed: 231 }).model));
    expect(without.model.layers[0].hidden).toBe(H);
  });

  it("maps the biases as the specification says: LSTM b = Wb + Rb, GRU b_in = Wb and b_re = Rb, in our gate order", async () => {
    // one hidden unit and no weights: each bias element lands in one named place
    const wb = [1, 2, 3, 4];
    const rb = [10, 20, 30, 40];
    const zeros = (n: number) => new Array<number>(n).fill(0);
    const lstm = onnxModel({
      nodes: [{ opType: "LSTM", name: "l", input: ["x", "W", "R", "B"], output: ["Y"], attribute: [attr.int("hidden_size", 1)] }],
      initializers: [
        onnxTensor("W", [1, 4, 1], zeros(4), "float32"),
        onnxTensor("R", [1, 4, 1], zeros(4), "float32"),
        onnxTensor("B", [1, 8], [...wb, ...rb], "float32"),
      ],
      inputs: [valueInfo("x", ["T", "B", 1])],
      outputs: [valueInfo("Y", undefined)],
    });
    const { importOnnxRecurrent } = await import("../src/index.js");
    // ONNX i, o, f, c → ours i, f, g, o
    expect(Array.from(importOnnxRecurrent(lstm).weights["layers.0.b"].data)).toEqual([11, 33, 44, 22]);
    const gru = onnxModel({
      nodes: [{ opType: "GRU", name: "g", input: ["x", "W", "R", "B"], output: ["Y"], attribute: [attr.int("hidden_size", 1)] }],
      initializers: [
        onnxTensor("W", [1, 3, 1], zeros(3), "float32"),
        onnxTensor("R", [1, 3, 1], zeros(3), "float32"),
        onnxTensor("B", [1, 6], [1, 2, 3, 10, 20, 30], "float32"),
      ],
      inputs: [valueInfo("x", ["T", "B", 1])],
      outputs: [valueInfo("Y", undefined)],
    });
    // ONNX z, r, h → ours r, z, n
    const w = importOnnxRecurrent(gru).weights;
    expect(Array.from(w["layers.0.b_in"].data)).toEqual([2, 1, 3]);
    expect(Array.from(w["layers.0.b_re"].data)).toEqual([20, 10, 30]);
  });
});

describe("past a row's sequence length", () => {
  it.each(["forward", "reverse", "bidirectional"] as const)("%s: ONNX Runtime's Y is 0 there, and so is unroll's output", async (direction) => {
    const { ortOut, ours } = await agree({ op: "LSTM", direction, withLengths: true, initial: "input", seed: 240 });
    const dirs = direction === "bidirectional" ? 2 : 1;
    const Y = ortOut["rec.Y"].data; // [T, dirs, B, H]
    const out = ours.result.outputs.data; // [T, B, dirs·H], the program's output: the layer's concat
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        if (t < LENGTHS[b]) continue;
        for (let d = 0; d < dirs; d++) for (let h = 0; h < H; h++) expect(Y[((t * dirs + d) * B + b) * H + h]).toBe(0);
        for (let j = 0; j < dirs * H; j++) expect(Math.abs(out[(t * B + b) * dirs * H + j])).toBe(0);
      }
    }
  });

  it("a row of length 0: ONNX Runtime's Y_h is 0, unroll's final state is the initial state (the only difference)", async () => {
    const { model, feeds } = singleNode({ op: "GRU", direction: "bidirectional", initial: "input", withLengths: true, seed: 250 });
    const lengths = [5, 0, 3];
    feeds.lens = new ort.Tensor("int32", Int32Array.from(lengths), [B]);
    const { importOnnxRecurrent } = await import("../src/index.js");
    const { runOrt, runImported, expectClose } = await import("./support/onnx-recurrent-models.js");
    const imported = importOnnxRecurrent(model);
    const ortOut = await runOrt(model, feeds);
    const ours = await runImported(imported, feeds);
    expectClose("rec.Y", ours.outputs["rec.Y"].data, ortOut["rec.Y"].data);
    const h0 = feeds.h0.data as Float32Array; // [2, B, H]
    for (let d = 0; d < 2; d++) {
      for (let b = 0; b < B; b++) {
        const row = (x: ArrayLike<number>) => Array.from({ length: H }, (_, h) => x[(d * B + b) * H + h]);
        if (lengths[b] === 0) {
          expect(row(ortOut["rec.Y_h"].data)).toEqual([0, 0, 0, 0]);
          expect(row(ours.outputs["rec.Y_h"].data)).toEqual(row(h0));
        } else {
          expectClose(`Y_h[${d}][${b}]`, row(ours.outputs["rec.Y_h"].data), row(ortOut["rec.Y_h"].data));
        }
      }
    }
  });
});
