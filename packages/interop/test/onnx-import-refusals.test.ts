import { describe, expect, it } from "vitest";
import { OnnxDataType, OnnxImportError, importOnnxRecurrent, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from "../src/index.js";
import { attr } from "../src/onnx/onnx-attributes.js";
import { onnxTensor } from "../src/onnx/onnx-tensor.js";
import { onnxModel, randomInit, recurrentNode, uniform, valueInfo, type RecurrentCase } from "./support/onnx-recurrent-models.js";

// What the import cannot express is refused with a message that names the node and the attribute or input, never
// approximated: each case asserts its message exactly.
const node = (opType: string, input: string[], output: string[], attribute: OnnxAttribute[] = [], name = output[0]): OnnxNode => ({
  opType,
  name,
  input,
  output,
  attribute,
});
const ints = (name: string, values: number[]): OnnxTensor => onnxTensor(name, [values.length], values, "int64");

/** One recurrent node `l0` on x [T, B, 3] (hidden 2), more nodes after it, and the named graph outputs. */
function model(
  c: Partial<RecurrentCase> & { op?: RecurrentCase["op"] },
  after: OnnxNode[] = [],
  outputs: string[] = ["l0.Y"],
  extra: { initializers?: OnnxTensor[]; inputs?: string[]; opset?: number } = {},
): OnnxModel {
  const next = uniform(7);
  const l0 = recurrentNode({ op: "LSTM", name: "l0", x: "x", inputSize: 3, hidden: 2, ...c }, next);
  return onnxModel(
    {
      nodes: [l0.node, ...after],
      initializers: [...l0.initializers, ...(extra.initializers ?? [])],
      inputs: [
        valueInfo("x", ["T", "B", 3]),
        ...(extra.inputs ?? []).map((n) => (n === "lens" || n === "lens2" ? valueInfo(n, ["B"], OnnxDataType.INT32) : valueInfo(n, undefined))),
      ],
      outputs: outputs.map((o) => valueInfo(o, undefined)),
    },
    extra.opset,
  );
}

/** A second recurrent node `l1` reading `x1`. */
const second = (c: Partial<RecurrentCase> & { x: string }) => recurrentNode({ op: "GRU", name: "l1", inputSize: 2, hidden: 2, ...c }, uniform(8));

/** Expects the import to refuse the model with exactly this message. */
function expectRefused(m: OnnxModel, message: string): void {
  let error: unknown;
  try {
    importOnnxRecurrent(m);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(OnnxImportError);
  expect((error as Error).message).toBe(message);
}

describe("ONNX import refuses what it cannot express, naming the node and the attribute or input", () => {
  it("LSTM peepholes P", () => {
    const P = randomInit("P", [1, 6], uniform(1));
    const m = model({}, [], ["l0.Y"], { initializers: [P] });
    m.graph!.node![0].input = ["x", "l0.W", "l0.R", "l0.B", "", "", "", "P"];
    expectRefused(m, 'node "l0" (LSTM): input "P" (peepholes) is not supported: unroll\'s lstm has no peephole connections');
  });

  it("clip", () => {
    expectRefused(
      model({ op: "GRU", attributes: [attr.float("clip", 3)] }),
      'node "l0" (GRU): attribute "clip" is not supported: unroll\'s cells do not clip their pre-activations',
    );
  });

  it("input_forget = 1", () => {
    expectRefused(
      model({ attributes: [attr.int("input_forget", 1)] }),
      'node "l0" (LSTM): attribute "input_forget" = 1 is not supported: unroll\'s lstm has separate input and forget gates',
    );
  });

  it("activation_alpha and activation_beta", () => {
    const alpha = [attr.strings("activations", ["LeakyRelu"]), attr.floats("activation_alpha", [0.1])];
    expectRefused(
      model({ op: "RNN", attributes: alpha }),
      'node "l0" (RNN): attribute "activation_alpha" is not supported: unroll\'s activations take no parameters',
    );
    expectRefused(
      model({ op: "RNN", attributes: [attr.floats("activation_beta", [0.5])] }),
      'node "l0" (RNN): attribute "activation_beta" is not supported: unroll\'s activations take no parameters',
    );
  });

  it("an RNN activation other than Tanh, Relu and Sigmoid", () => {
    expectRefused(
      model({ op: "RNN", attributes: [attr.strings("activations", ["Softsign"])] }),
      'node "l0" (RNN): attribute "activations" has "Softsign"; unroll\'s rnn has "Tanh", "Relu" or "Sigmoid"',
    );
  });

  it("LSTM and GRU activations other than their defaults", () => {
    expectRefused(
      model({ attributes: [attr.strings("activations", ["Sigmoid", "Tanh", "Relu"])] }),
      'node "l0" (LSTM): attribute "activations" is ["Sigmoid", "Tanh", "Relu"]; unroll\'s lstm has "Sigmoid", "Tanh", "Tanh" in each direction',
    );
    expectRefused(
      model({ op: "GRU", direction: "bidirectional", attributes: [attr.strings("activations", ["Sigmoid", "Tanh", "HardSigmoid", "Tanh"])] }),
      'node "l0" (GRU): attribute "activations" is ["Sigmoid", "Tanh", "HardSigmoid", "Tanh"]; unroll\'s gru has "Sigmoid", "Tanh" in each direction',
    );
  });

  it("an RNN whose two directions have different activations, and a list of the wrong length", () => {
    expectRefused(
      model({ op: "RNN", direction: "bidirectional", attributes: [attr.strings("activations", ["Relu", "Tanh"])] }),
      'node "l0" (RNN): attribute "activations" is ["Relu", "Tanh"]: the directions differ, and unroll\'s bidirectional rnn has one activation',
    );
    expectRefused(
      model({ op: "RNN", direction: "bidirectional", attributes: [attr.strings("activations", ["Relu"])] }),
      'node "l0" (RNN): attribute "activations" is ["Relu"]; a bidirectional RNN has 2 (1 per direction)',
    );
  });

  it("an attribute the operator does not have", () => {
    expectRefused(
      model({ op: "RNN", attributes: [attr.int("linear_before_reset", 1)] }),
      'node "l0" (RNN): attribute "linear_before_reset" is not an attribute of RNN',
    );
  });

  it("an operator between layers that the import does not read", () => {
    const l1 = second({ x: "act" });
    expectRefused(
      model({}, [node("Squeeze", ["l0.Y", "axis1"], ["seq"]), node("Relu", ["seq"], ["act"]), l1.node], ["l1.Y"], {
        initializers: [ints("axis1", [1]), ...l1.initializers],
      }),
      'node "act" (Relu): unroll\'s import does not read this operator (it reads RNN, LSTM, GRU, the glue between them, a MatMul + Add or Gemm head with Softmax, Sigmoid or Tanh, and a Gather embedding)',
    );
  });

  it("an activation between layers, which is not a head's", () => {
    const l1 = second({ x: "act" });
    expectRefused(
      model({}, [node("Squeeze", ["l0.Y", "axis1"], ["seq"]), node("Tanh", ["seq"], ["act"]), l1.node], ["l1.Y"], {
        initializers: [ints("axis1", [1]), ...l1.initializers],
      }),
      'node "act" (Tanh): applies Tanh to the output sequence of layer 0 (node "l0" (LSTM)), which is not a dense head\'s output; unroll\'s model has a bias and an activation only in its head',
    );
  });

  it("a Reshape that mixes the batch into the features", () => {
    const l1 = second({ x: "seq" });
    expectRefused(
      model({}, [node("Reshape", ["l0.Y", "shape"], ["seq"]), l1.node], ["l1.Y"], { initializers: [ints("shape", [0, 0, -1]), ...l1.initializers] }),
      'node "l1" (GRU): input "X" is [time, direction, batch×hidden]; layout 0 reads [time, batch, features]',
    );
  });

  it("a Reshape that splits an axis", () => {
    expectRefused(
      model({ direction: "bidirectional" }, [node("Reshape", ["l0.Y", "shape"], ["seq"])], ["seq"], { initializers: [ints("shape", [0, 4, -1])] }),
      'node "seq" (Reshape): shape [0, 4, -1] splits an axis of the input [time, direction, batch, hidden]; unroll\'s import reads a Reshape that merges or keeps whole axes',
    );
  });

  it("a Squeeze without axes", () => {
    expectRefused(
      model({}, [node("Squeeze", ["l0.Y"], ["seq"])], ["seq"]),
      'node "seq" (Squeeze): names no axes, so which it removes would depend on the batch and sequence sizes',
    );
  });

  it("layers that read different sequence lengths", () => {
    const l1 = second({ x: "seq", lengths: "lens2" });
    expectRefused(
      model({ lengths: "lens" }, [node("Squeeze", ["l0.Y", "axis1"], ["seq"]), l1.node], ["l1.Y"], {
        initializers: [ints("axis1", [1]), ...l1.initializers],
        inputs: ["lens", "lens2"],
      }),
      'node "l1" (GRU): input "sequence_lens" is "lens2", but it is "lens" for node "l0" (LSTM); unroll applies one set of lengths to every layer',
    );
    const l1b = second({ x: "seq" });
    expectRefused(
      model({ lengths: "lens" }, [node("Squeeze", ["l0.Y", "axis1"], ["seq"]), l1b.node], ["l1.Y"], {
        initializers: [ints("axis1", [1]), ...l1b.initializers],
        inputs: ["lens"],
      }),
      'node "l1" (GRU): input "sequence_lens" is absent, but it is "lens" for node "l0" (LSTM); unroll applies one set of lengths to every layer',
    );
  });

  it("sequence lengths given as a constant", () => {
    expectRefused(
      model({ lengths: "lens" }, [], ["l0.Y"], { initializers: [onnxTensor("lens", [2], [3, 2], "int32")] }),
      'node "l0" (LSTM): input "sequence_lens" is initializer "lens"; unroll reads lengths from a graph input (DATA\'s lengths)',
    );
  });

  it("a layer that does not read the one below (a branch)", () => {
    const l1 = second({ x: "x", inputSize: 3 });
    expectRefused(
      model({}, [l1.node], ["l0.Y", "l1.Y"], { initializers: l1.initializers }),
      'node "l1" (GRU): input "X" is the data input "x", but unroll\'s layers form one stack: it must be the output sequence of layer 0 (node "l0" (LSTM))',
    );
  });

  it("a head under the last layer", () => {
    const l1 = second({ x: "seq" });
    const head = [node("MatMul", ["seq", "W"], ["z"])];
    expectRefused(
      model({}, [node("Squeeze", ["l0.Y", "axis1"], ["seq"]), ...head, l1.node], ["z", "l1.Y"], {
        initializers: [ints("axis1", [1]), randomInit("W", [2, 2], uniform(3)), ...l1.initializers],
      }),
      'node "z" (MatMul): reads the output sequence of layer 0 (node "l0" (LSTM)), but layer 1 (node "l1" (GRU)) is above it; unroll\'s head reads the last layer',
    );
  });

  it("two heads", () => {
    const nodes = [node("Squeeze", ["l0.Y", "axis1"], ["seq"]), node("MatMul", ["seq", "W"], ["z"]), node("Sigmoid", ["z"], ["p"])];
    expectRefused(
      model({}, nodes, ["z", "p"], { initializers: [ints("axis1", [1]), randomInit("W", [2, 2], uniform(3))] }),
      'the graph outputs read two heads (node "z" (MatMul), no activation; node "z" (MatMul), sigmoid); unroll\'s model has one',
    );
  });

  it("a head on the final states of a bidirectional layer", () => {
    const nodes = [
      node("Transpose", ["l0.Y_h"], ["bdh"], [attr.ints("perm", [1, 0, 2])]),
      node("Reshape", ["bdh", "shape"], ["h"]),
      node("MatMul", ["h", "W"], ["z"]),
    ];
    expectRefused(
      model({ direction: "bidirectional" }, nodes, ["z"], { initializers: [ints("shape", [0, -1]), randomInit("W", [4, 2], uniform(3))] }),
      'node "z" (MatMul): reads the final states of layer 0 (node "l0" (LSTM)); a head reads a layer\'s output sequence, or the final state h of one one-direction layer (its output at the row\'s last step)',
    );
  });

  it("a head on one direction's final state of a bidirectional layer (PyTorch's h_n[-1])", () => {
    const nodes = [node("Gather", ["l0.Y_h", "minus1"], ["h"]), node("MatMul", ["h", "W"], ["z"])];
    expectRefused(
      model({ direction: "bidirectional" }, nodes, ["z"], { initializers: [onnxTensor("minus1", [], [-1], "int64"), randomInit("W", [2, 2], uniform(3))] }),
      'node "z" (MatMul): reads the final state of layer 0 (node "l0" (LSTM)); a head reads a layer\'s output sequence, or the final state h of one one-direction layer (its output at the row\'s last step)',
    );
  });

  it("zeros that are not zeros", () => {
    const nodes = [node("ConstantOfShape", ["shape"], ["ones"], [attr.tensor("value", onnxTensor("v", [1], [1], "float32"))])];
    const m = model({ op: "GRU", initialH: "ones" }, nodes, ["l0.Y"], { initializers: [ints("shape", [1, 2, 2])] });
    m.graph!.node = [...nodes, m.graph!.node![0]];
    expectRefused(m, 'node "ones" (ConstantOfShape): fills with 1; unroll\'s import reads ConstantOfShape of zeros only');
  });

  it("a head along one direction of a bidirectional output", () => {
    expectRefused(
      model({ direction: "bidirectional" }, [node("MatMul", ["l0.Y", "W"], ["z"])], ["z"], { initializers: [randomInit("W", [2, 2], uniform(3))] }),
      'node "z" (MatMul): multiplies along hidden, but a head reads the output sequence of layer 0 (node "l0" (LSTM)) along direction×hidden (the layer\'s whole output)',
    );
  });

  it("a Softmax that is not over the features alone (opset 11's default axis 1 of [T, B, O])", () => {
    const nodes = [node("Squeeze", ["l0.Y"], ["seq"], [attr.ints("axes", [1])]), node("MatMul", ["seq", "W"], ["z"]), node("Softmax", ["z"], ["p"])];
    expectRefused(
      model({}, nodes, ["p"], { initializers: [randomInit("W", [2, 2], uniform(3))], opset: 11 }),
      'node "p" (Softmax): attribute "axis" normalizes over batch, features (opset 11); unroll\'s softmax normalizes over the head\'s features alone',
    );
  });

  it("a Gemm bias per row", () => {
    const nodes = [node("Squeeze", ["l0.Y_h", "axis0"], ["h"]), node("Gemm", ["h", "W", "C"], ["z"])];
    expectRefused(
      model({}, nodes, ["z"], { initializers: [ints("axis0", [0]), randomInit("W", [2, 2], uniform(3)), randomInit("C", [3, 2], uniform(4))] }),
      'node "z" (Gemm): input "C" (initializer "C") is [3, 2], a bias per row; unroll\'s head adds one bias of 2 to every row',
    );
  });

  it("a Gather of one step of a sequence", () => {
    expectRefused(
      model({}, [node("Gather", ["l0.Y", "last"], ["y"])], ["y"], { initializers: [onnxTensor("last", [], [-1], "int64")] }),
      'node "y" (Gather): gathers from the output sequence of layer 0 (node "l0" (LSTM)); unroll\'s import reads a Gather of rows of a constant table by the token ids (an embedding), not a selection of steps or rows',
    );
  });

  it("a Where that is not the step mask on a head", () => {
    const nodes = [node("Squeeze", ["l0.Y", "axis1"], ["seq"]), node("MatMul", ["seq", "W"], ["z"]), node("Where", ["keep", "z", "zero"], ["y"])];
    const keep = onnxTensor("keep", [1], [1], "int32");
    expectRefused(
      model({}, nodes, ["y"], { initializers: [ints("axis1", [1]), randomInit("W", [2, 2], uniform(3)), keep, onnxTensor("zero", [], [0], "float32")] }),
      "node \"y\" (Where): unroll's import reads Where(step mask, a head's output, 0) only: the head's output set to 0 past each row's length",
    );
  });

  it("a graph output that is the input, and a graph with no recurrent node", () => {
    expectRefused(model({}, [], ["x", "l0.Y"]), 'graph output "x" is the graph input "x", not something the model computes');
    const none = onnxModel({
      nodes: [node("MatMul", ["x", "W"], ["z"])],
      initializers: [randomInit("W", [3, 2], uniform(3))],
      inputs: [valueInfo("x", ["T", "B", 3])],
      outputs: [valueInfo("z", undefined)],
    });
    expectRefused(
      none,
      'node "z" (MatMul): reads the data input "x"; unroll\'s head is one dense layer on the last recurrent layer\'s output (MatMul + Add or Gemm, then Softmax, Sigmoid or Tanh)',
    );
  });

  it("an initial state computed by the model", () => {
    const l1 = second({ x: "seq", initialH: "l0.Y_h" });
    expectRefused(
      model({ op: "GRU" }, [node("Squeeze", ["l0.Y", "axis1"], ["seq"]), l1.node], ["l1.Y"], { initializers: [ints("axis1", [1]), ...l1.initializers] }),
      'node "l1" (GRU): input "initial_h" is the final state of layer 0 (node "l0" (GRU)); unroll reads an initial state from a graph input (DATA\'s initialState) or a constant',
    );
  });
});
