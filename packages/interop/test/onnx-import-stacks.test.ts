import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { OnnxDataType, type OnnxAttribute, type OnnxNode, type OnnxTensor } from "../src/index.js";
import { attr } from "../src/onnx/onnx-attributes.js";
import { onnxTensor } from "../src/onnx/onnx-tensor.js";
import {
  draw,
  expectImportAgrees,
  layoutZeroEquivalent,
  onnxModel,
  ortFloat,
  randomInit,
  recurrentNode,
  uniform,
  valueInfo,
} from "./support/onnx-recurrent-models.js";

// Stacks of recurrent nodes with the glue exporters put between them (Squeeze of the direction axis, Transpose +
// Reshape of a bidirectional Y, layout-1 reshapes, batch-first transposes) and the usual dense heads, imported and run
// by unroll against ONNX Runtime: every graph output agrees to 1e-5 in float32 (a head's output within each row's
// length; past it ONNX Runtime gives activation(b) and unroll 0, which expectImportAgrees checks too).
const T = 6;
const B = 3;
const I = 3;
const LENGTHS = [6, 2, 4];

const node = (opType: string, input: string[], output: string[], attribute: OnnxAttribute[] = [], name = output[0]): OnnxNode => ({
  opType,
  name,
  input,
  output,
  attribute,
});
const ints = (name: string, values: number[]): OnnxTensor => onnxTensor(name, [values.length], values, "int64");
const lens = () => new ort.Tensor("int32", Int32Array.from(LENGTHS), [B]);

describe("ONNX import of stacked layers and heads agrees with ONNX Runtime", () => {
  it("bidirectional LSTM → GRU (linear_before_reset 1) → reverse RNN, MatMul + Add + Softmax head, lengths and initial states", async () => {
    const next = uniform(301);
    const l0 = recurrentNode(
      { op: "LSTM", name: "l0", x: "x", inputSize: I, hidden: 4, direction: "bidirectional", lengths: "lens", initialH: "h0", initialC: "c0" },
      next,
    );
    const l1 = recurrentNode(
      { op: "GRU", name: "l1", x: "l0.flat", inputSize: 8, hidden: 5, lengths: "lens", initialH: "h1", attributes: [attr.int("linear_before_reset", 1)] },
      next,
    );
    const l2 = recurrentNode(
      {
        op: "RNN",
        name: "l2",
        x: "l1.seq",
        inputSize: 5,
        hidden: 3,
        direction: "reverse",
        lengths: "lens",
        attributes: [attr.strings("activations", ["Relu"])],
      },
      next,
    );
    const model = onnxModel({
      nodes: [
        l0.node,
        // [T, 2, B, H] → [T, B, 2, H] → [T, B, 2H]: PyTorch's export of a bidirectional layer's output
        node("Transpose", ["l0.Y"], ["l0.tbdh"], [attr.ints("perm", [0, 2, 1, 3])]),
        node("Reshape", ["l0.tbdh", "shape3"], ["l0.flat"]),
        l1.node,
        node("Squeeze", ["l1.Y", "axis1"], ["l1.seq"]),
        l2.node,
        node("Squeeze", ["l2.Y", "axis1"], ["l2.seq"]),
        node("MatMul", ["l2.seq", "head.W"], ["logits0"]),
        node("Add", ["head.b", "logits0"], ["logits"]),
        node("Softmax", ["logits"], ["probs"], [attr.int("axis", -1)]),
      ],
      initializers: [
        ...l0.initializers,
        ...l1.initializers,
        ...l2.initializers,
        ints("shape3", [0, 0, -1]),
        ints("axis1", [1]),
        randomInit("head.W", [3, 4], next),
        randomInit("head.b", [4], next),
      ],
      inputs: [
        valueInfo("x", ["T", "B", I]),
        valueInfo("lens", ["B"], OnnxDataType.INT32),
        valueInfo("h0", [2, "B", 4]),
        valueInfo("c0", [2, "B", 4]),
        valueInfo("h1", [1, "B", 5]),
      ],
      outputs: ["probs", "l0.Y_h", "l0.Y_c", "l1.seq", "l2.Y_h"].map((o) => valueInfo(o, undefined)),
    });
    const feeds = {
      x: ortFloat([T, B, I], draw(T * B * I, next)),
      lens: lens(),
      h0: ortFloat([2, B, 4], draw(2 * B * 4, next)),
      c0: ortFloat([2, B, 4], draw(2 * B * 4, next)),
      h1: ortFloat([1, B, 5], draw(B * 5, next)),
    };
    const { imported, ortOut, ours } = await expectImportAgrees(model, feeds);
    expect(imported.model).toEqual({
      format: "unroll.model/1",
      input: I,
      layers: [
        { cell: "lstm", hidden: 4, bidirectional: true },
        { cell: "gru", hidden: 5, resetAfter: true },
        { cell: "rnn", hidden: 3, activation: "relu", direction: "reverse" },
      ],
      head: { units: 4, activation: "softmax" },
    });
    expect(imported.outputs.map((o) => [o.name, o.role])).toEqual([
      ["probs", "output"],
      ["l0.Y_h", "finalStates"],
      ["l0.Y_c", "finalStates"],
      ["l1.seq", "sequence"],
      ["l2.Y_h", "finalStates"],
    ]);
    // past a row's length ONNX Runtime's head reads Y = 0 and gives softmax(b) where unroll gives 0: expectImportAgrees checks both
    expect(ortOut.probs.dims).toEqual([T, B, 4]);
    expect(ours.result.outputs.shape).toEqual([T, B, 4]);
  });

  it("layout 1 throughout: LSTM → bidirectional GRU (linear_before_reset 0) with Reshapes of [B, T, dirs, H], MatMul + Add + Sigmoid head", async () => {
    const next = uniform(302);
    const l0 = recurrentNode({ op: "LSTM", name: "l0", x: "x", inputSize: I, hidden: 4, layout: 1, lengths: "lens", initialH: "h0", initialC: "c0" }, next);
    const l1 = recurrentNode({ op: "GRU", name: "l1", x: "l0.seq", inputSize: 4, hidden: 3, layout: 1, direction: "bidirectional", lengths: "lens" }, next);
    const model = onnxModel({
      nodes: [
        l0.node,
        node("Reshape", ["l0.Y", "shape3"], ["l0.seq"]),
        l1.node,
        node("Reshape", ["l1.Y", "shape3"], ["l1.seq"]),
        node("MatMul", ["l1.seq", "head.W"], ["z0"]),
        node("Add", ["z0", "head.b"], ["z"]),
        node("Sigmoid", ["z"], ["p"]),
      ],
      initializers: [
        ...l0.initializers,
        ...l1.initializers,
        ints("shape3", [0, 0, -1]),
        randomInit("head.W", [6, 2], next),
        randomInit("head.b", [1, 1, 2], next),
      ],
      inputs: [valueInfo("x", ["B", "T", I]), valueInfo("lens", ["B"], OnnxDataType.INT32), valueInfo("h0", ["B", 1, 4]), valueInfo("c0", ["B", 1, 4])],
      outputs: ["p", "l1.Y_h", "l0.Y_c", "l1.seq"].map((o) => valueInfo(o, undefined)),
    });
    const feeds = {
      x: ortFloat([B, T, I], draw(T * B * I, next)),
      lens: lens(),
      h0: ortFloat([B, 1, 4], draw(B * 4, next)),
      c0: ortFloat([B, 1, 4], draw(B * 4, next)),
    };
    const { imported } = await expectImportAgrees(model, feeds, layoutZeroEquivalent(model));
    expect(imported.model.layers).toEqual([
      { cell: "lstm", hidden: 4 },
      { cell: "gru", hidden: 3, resetAfter: false, bidirectional: true },
    ]);
    expect(imported.inputs.find((r) => r.role === "x")?.axes).toEqual([["batch"], ["time"], ["features"]]);
    expect(imported.outputs.find((o) => o.name === "p")?.axes).toEqual([["batch"], ["time"], ["features"]]);
  });

  it("batch-first input (Transpose), opset 11 Squeeze, Reshape to [B·T, H] and a Gemm head (transB, alpha, beta) with Tanh", async () => {
    const next = uniform(303);
    const l0 = recurrentNode({ op: "GRU", name: "l0", x: "x.tm", inputSize: I, hidden: 4, direction: "reverse", lengths: "lens" }, next);
    const l1 = recurrentNode(
      { op: "RNN", name: "l1", x: "l0.seq", inputSize: 4, hidden: 5, lengths: "lens", attributes: [attr.strings("activations", ["Sigmoid"])] },
      next,
    );
    const model = onnxModel(
      {
        nodes: [
          node("Transpose", ["x"], ["x.tm"], [attr.ints("perm", [1, 0, 2])]),
          l0.node,
          node("Squeeze", ["l0.Y"], ["l0.seq"], [attr.ints("axes", [1])]),
          l1.node,
          node("Squeeze", ["l1.Y"], ["l1.seq"], [attr.ints("axes", [1])]),
          node("Transpose", ["l1.seq"], ["l1.bth"], [attr.ints("perm", [1, 0, 2])]),
          node("Reshape", ["l1.bth", "rows"], ["l1.rows"]),
          node("Gemm", ["l1.rows", "head.W", "head.b"], ["z"], [attr.int("transB", 1), attr.float("alpha", 0.5), attr.float("beta", 2)]),
          node("Tanh", ["z"], ["y"]),
        ],
        initializers: [...l0.initializers, ...l1.initializers, ints("rows", [-1, 5]), randomInit("head.W", [2, 5], next), randomInit("head.b", [2], next)],
        inputs: [valueInfo("x", ["B", "T", I]), valueInfo("lens", ["B"], OnnxDataType.INT32)],
        outputs: [valueInfo("y", undefined), valueInfo("l1.Y_h", undefined)],
      },
      11,
    );
    const feeds = { x: ortFloat([B, T, I], draw(T * B * I, next)), lens: lens() };
    const { imported } = await expectImportAgrees(model, feeds);
    expect(imported.model.head).toEqual({ units: 2, activation: "tanh" });
    expect(imported.outputs[0]).toEqual({ name: "y", role: "output", axes: [["batch", "time"], ["features"]], zeroPastLengths: false });
    // W = alpha · head.Wᵀ, b = beta · head.b
    expect(imported.weights["head.W"].shape).toEqual([5, 2]);
  });

  it.each([
    ["LSTM", "forward", "last"],
    ["GRU", "reverse", "first"],
  ] as const)("a Gemm + Softmax head on the final state Y_h of a %s (%s): unroll's output at the row's %s step", async (op, direction, step) => {
    const next = uniform(304);
    const l0 = recurrentNode({ op, name: "l0", x: "x", inputSize: I, hidden: 4, direction, lengths: "lens", initialH: "h0" }, next);
    const model = onnxModel({
      nodes: [
        l0.node,
        node("Squeeze", ["l0.Y_h", "axis0"], ["h"]),
        node("Gemm", ["h", "head.W", "head.b"], ["z"]),
        node("Softmax", ["z"], ["p"], [attr.int("axis", 1)]),
      ],
      initializers: [...l0.initializers, ints("axis0", [0]), randomInit("head.W", [4, 3], next), randomInit("head.b", [1, 3], next)],
      inputs: [valueInfo("x", ["T", "B", I]), valueInfo("lens", ["B"], OnnxDataType.INT32), valueInfo("h0", [1, "B", 4])],
      outputs: [valueInfo("p", undefined)],
    });
    const feeds = { x: ortFloat([T, B, I], draw(T * B * I, next)), lens: lens(), h0: ortFloat([1, B, 4], draw(B * 4, next)) };
    const { imported } = await expectImportAgrees(model, feeds);
    expect(imported.outputs).toEqual([{ name: "p", role: "finalOutput", axes: [["batch"], ["features"]], step }]);
  });

  it("a Gather embedding of int64 token ids before the first layer", async () => {
    const next = uniform(305);
    const V = 7;
    const l0 = recurrentNode({ op: "GRU", name: "l0", x: "emb", inputSize: 4, hidden: 3, direction: "bidirectional", lengths: "lens" }, next);
    const model = onnxModel({
      nodes: [
        node("Gather", ["table", "ids"], ["emb"]),
        l0.node,
        node("Transpose", ["l0.Y"], ["l0.tbdh"], [attr.ints("perm", [0, 2, 1, 3])]),
        node("Reshape", ["l0.tbdh", "shape3"], ["l0.seq"]),
        node("MatMul", ["l0.seq", "head.W"], ["z0"]),
        node("Add", ["z0", "head.b"], ["z"]),
      ],
      initializers: [
        ...l0.initializers,
        randomInit("table", [V, 4], next),
        ints("shape3", [0, 0, -1]),
        randomInit("head.W", [6, 2], next),
        randomInit("head.b", [2], next),
      ],
      inputs: [valueInfo("ids", ["T", "B"], OnnxDataType.INT64), valueInfo("lens", ["B"], OnnxDataType.INT32)],
      outputs: [valueInfo("z", undefined)],
    });
    const ids = Array.from({ length: T * B }, (_, i) => (i * 5 + 3) % V);
    const feeds = { ids: new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [T, B]), lens: lens() };
    const { imported, ours } = await expectImportAgrees(model, feeds);
    expect(imported.model.embedding).toEqual({ vocab: V, units: 4 });
    expect(imported.model.input).toBe(V);
    expect(imported.model.head).toEqual({ units: 2, activation: "linear" });
    expect(Array.from(ours.data.sequences.x.data)).toEqual(ids);
  });

  it("PyTorch's idioms: weights in Constant nodes, zero initial states from ConstantOfShape, h0 sliced per layer, h_n as a Concat", async () => {
    const next = uniform(306);
    const l0 = recurrentNode({ op: "LSTM", name: "l0", x: "x", inputSize: I, hidden: 4, initialH: "h0.l0", initialC: "zeros.c" }, next);
    const l1 = recurrentNode({ op: "LSTM", name: "l1", x: "l0.seq", inputSize: 4, hidden: 4, initialH: "h0.l1", initialC: "zeros.c" }, next);
    // l1's weights come from Constant nodes instead of initializers
    const constants = l1.initializers.map((t) => node("Constant", [], [t.name!], [attr.tensor("value", t)]));
    const model = onnxModel({
      nodes: [
        // [2, B, 4] zeros, B read from x at run time, as PyTorch exports them
        node("Shape", ["x"], ["x.shape"]),
        node("Gather", ["x.shape", "one"], ["batch"], [attr.int("axis", 0)]),
        node("Unsqueeze", ["batch", "axis0"], ["batch1"]),
        node("Concat", ["two", "batch1", "four"], ["zeros.shape"], [attr.int("axis", 0)]),
        node("ConstantOfShape", ["zeros.shape"], ["zeros"], [attr.tensor("value", onnxTensor("v", [1], [0], "float32"))]),
        node("Slice", ["zeros", "s0", "e1", "axis0"], ["zeros.c"]),
        node("Slice", ["h0", "s0", "e1", "axis0"], ["h0.l0"]),
        node("Slice", ["h0", "e1", "e2", "axis0"], ["h0.l1"]),
        l0.node,
        node("Squeeze", ["l0.Y", "axis1"], ["l0.seq"]),
        ...constants,
        l1.node,
        node("Concat", ["l0.Y_h", "l1.Y_h"], ["h_n"], [attr.int("axis", 0)]),
      ],
      initializers: [
        ...l0.initializers,
        ints("s0", [0]),
        ints("e1", [1]),
        ints("e2", [2]),
        ints("axis0", [0]),
        ints("axis1", [1]),
        onnxTensor("one", [], [1], "int64"),
        ints("two", [2]),
        ints("four", [4]),
      ],
      inputs: [valueInfo("x", ["T", "B", I]), valueInfo("h0", [2, "B", 4])],
      outputs: [valueInfo("h_n", undefined), valueInfo("l1.Y", undefined)],
    });
    const feeds = { x: ortFloat([T, B, I], draw(T * B * I, next)), h0: ortFloat([2, B, 4], draw(2 * B * 4, next)) };
    const { imported } = await expectImportAgrees(model, feeds);
    expect(imported.inputs).toEqual([
      { name: "x", role: "x", axes: [["time"], ["batch"], ["features"]], tokenIds: false },
      { name: "h0", role: "initialState", axes: [["direction"], ["batch"], ["hidden"]], states: [["layers.0.h"], ["layers.1.h"]] },
    ]);
    expect(imported.outputs[0]).toEqual({
      name: "h_n",
      role: "finalStates",
      axes: [["direction"], ["batch"], ["hidden"]],
      states: ["layers.0.h", "layers.1.h"],
    });
  });
});
