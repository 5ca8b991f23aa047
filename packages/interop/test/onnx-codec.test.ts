import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { decodeOnnxModel, encodeOnnxModel, OnnxDataType, type OnnxModel } from "../src/index.js";
import { attr, attributesOf } from "../src/onnx/onnx-attributes.js";
import { onnxTensor, onnxTensorValues } from "../src/onnx/onnx-tensor.js";

const floatInput = (name: string, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType: OnnxDataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } },
});

// y = tanh(x W) with W an initializer: the smallest model that exercises nodes, initializers, inputs, outputs and raw data
const model: OnnxModel = {
  irVersion: 8,
  opsetImport: [{ domain: "", version: 17 }],
  producerName: "unroll-test",
  graph: {
    name: "g",
    node: [
      { opType: "MatMul", name: "mm", input: ["x", "W"], output: ["xw"] },
      { opType: "Tanh", name: "act", input: ["xw"], output: ["y"] },
      { opType: "Softmax", name: "sm", input: ["y"], output: ["p"], attribute: [attr.int("axis", -1)] },
    ],
    initializer: [onnxTensor("W", [2, 3], [0.5, -1, 2, 0.25, 0.75, -0.5], "float32")],
    input: [floatInput("x", ["B", 2])],
    output: [floatInput("y", ["B", 3]), floatInput("p", ["B", 3])],
  },
};

describe("ONNX codec", () => {
  it("round-trips a model through protobuf bytes", () => {
    const back = decodeOnnxModel(encodeOnnxModel(model));
    expect(back.irVersion).toBe(8);
    expect(back.graph?.node?.map((n) => n.opType)).toEqual(["MatMul", "Tanh", "Softmax"]);
    expect(attributesOf(back.graph!.node![2]).int("axis")).toBe(-1);
    expect(Array.from(onnxTensorValues(back.graph!.initializer![0]))).toEqual([0.5, -1, 2, 0.25, 0.75, -0.5]);
    expect(back.graph!.input![0].type!.tensorType!.shape!.dim![0].dimParam).toBe("B");
  });

  it("writes a file ONNX Runtime runs, with the numbers of the same computation", async () => {
    const session = await ort.InferenceSession.create(encodeOnnxModel(model));
    const x = new Float32Array([1, 2, -0.5, 0.25]);
    const { y } = await session.run({ x: new ort.Tensor("float32", x, [2, 2]) });
    const W = [
      [0.5, -1, 2],
      [0.25, 0.75, -0.5],
    ];
    const expected = [0, 1].flatMap((r) => [0, 1, 2].map((c) => Math.tanh(x[2 * r] * W[0][c] + x[2 * r + 1] * W[1][c])));
    Array.from(y.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it("reads the typed fields as well as raw data, and int64 and float16", () => {
    expect(Array.from(onnxTensorValues({ dims: [2], dataType: OnnxDataType.FLOAT, floatData: [1.5, -2] }))).toEqual([1.5, -2]);
    expect(Array.from(onnxTensorValues({ dims: [3], dataType: OnnxDataType.INT64, int64Data: [1, -2, 3] }))).toEqual([1, -2, 3]);
    expect(Array.from(onnxTensorValues(onnxTensor("i", [2], [7, -9], "int64")))).toEqual([7, -9]);
    // 0x3c00 = 1, 0xc000 = -2, 0x3555 ≈ 0.33325 in IEEE half precision
    const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555]).buffer);
    expect(Array.from(onnxTensorValues({ dims: [3], dataType: OnnxDataType.FLOAT16, rawData: half }))).toEqual([1, -2, 0.333251953125]);
  });

  it("names the tensor and the figures when its data does not fit its dims", () => {
    expect(() => onnxTensorValues({ name: "W", dims: [2, 2], dataType: OnnxDataType.FLOAT, rawData: new Uint8Array(12) })).toThrow(
      'tensor "W": 12 bytes of raw data for dims [2, 2] (16 expected)',
    );
    expect(() => onnxTensorValues({ name: "s", dims: [1], dataType: 8 })).toThrow('tensor "s": element type data type 8 is not supported');
  });

  it("says a file that is not protobuf is not an ONNX model", () => {
    expect(() => decodeOnnxModel(new TextEncoder().encode('{"format":"unroll.model/1"}'))).toThrow(/^not an ONNX model/);
  });

  it("names the node and the attribute of the wrong type", () => {
    const node = { opType: "LSTM", name: "l0", attribute: [attr.string("hidden_size", "4")] };
    expect(() => attributesOf(node).int("hidden_size")).toThrow('node "l0" (LSTM): attribute "hidden_size" must be an int');
  });
});
