import { GraphBuilder, loadProgram, opKinds } from "@unroll/ir";
import { describe, expect, it } from "vitest";
import { exportOnnx } from "../src/index.js";
import { attributesOf } from "../src/onnx/onnx-attributes.js";
import { caseOptions, everyOpGraph, scanCases } from "./support/export-cases.js";
import { expectSameRun, randomInputs, randomWeights, runOnnx, runUnroll } from "./support/onnx-run.js";

describe("ONNX export of any program as Scan", () => {
  scanCases.forEach((c, i) => {
    it(`${c.name}: ONNX Runtime gives runForward's outputs and final states to 1e-5`, async () => {
      const program = loadProgram(c.document);
      const weights = randomWeights(program, 300 + i, "float32");
      const inputs = randomInputs(program, 400 + i, "float32", { steps: 6, batch: c.lengths?.length ?? 3, ...c });
      const model = exportOnnx(c.document, weights, caseOptions(c));
      const nodes = model.graph!.node!;
      expect(nodes.filter((n) => n.opType === "Scan").map((n) => n.opType)).toEqual(c.cells);
      expect(nodes.some((n) => ["RNN", "LSTM", "GRU"].includes(n.opType!))).toBe(false);
      const expected = await runUnroll(c.document, weights, inputs, "float32");
      expectSameRun(await runOnnx(model, inputs, "float32"), expected, 1e-5);
    });
  });

  it("maps every op of the op set: a graph of all of them agrees with runForward, in float32 and float64", async () => {
    const graph = everyOpGraph();
    expect(new Set(graph.nodes.map((n) => n.op))).toEqual(new Set(opKinds));
    const program = loadProgram(graph);
    for (const [dtype, tol] of [
      ["float32", 1e-5],
      ["float64", 1e-12],
    ] as const) {
      const weights = randomWeights(program, 7, dtype);
      const inputs = randomInputs(program, 8, dtype, { steps: 4, batch: 3, ids: { cls: 4 }, lengths: [4, 2, 3] });
      const model = exportOnnx(graph, weights, { dtype, sequenceLengths: true });
      expect(model.graph!.input!.find((v) => v.name === "cls")!.type!.tensorType!.elemType).toBe(7); // int64 ids
      expectSameRun(await runOnnx(model, inputs, dtype), await runUnroll(graph, weights, inputs, dtype), tol);
    }
  });

  it("runs a float64 export of a bidirectional spec with ONNX Runtime to 1e-12", async () => {
    const c = scanCases.find((k) => k.name === "layer-norm-bidirectional-lengths")!;
    const program = loadProgram(c.document);
    const weights = randomWeights(program, 9, "float64");
    const inputs = randomInputs(program, 10, "float64", { steps: 6, batch: 3, ...c });
    const model = exportOnnx(c.document, weights, { ...caseOptions(c), dtype: "float64" });
    expect(model.graph!.initializer!.every((t) => t.dataType === 11)).toBe(true);
    expectSameRun(await runOnnx(model, inputs, "float64"), await runUnroll(c.document, weights, inputs, "float64"), 1e-12);
  });

  it("writes one Scan per stage, named after it, reverse stages with scan directions 1, params as outer-scope initializers", () => {
    const document = {
      input: 3,
      layers: [{ cell: "gru", hidden: 4, bidirectional: true, layerNorm: true, dropout: 0.5 }],
      head: { units: 2, activation: "sigmoid" },
    };
    const program = loadProgram(document);
    const model = exportOnnx(document, randomWeights(program, 1, "float32"));
    const scans = model.graph!.node!.filter((n) => n.opType === "Scan");
    expect(scans.map((n) => n.name)).toEqual(["layers.0.forward", "layers.0.reverse", "output"]);
    const reverse = attributesOf(scans[1]);
    expect(reverse.ints("scan_input_directions")).toEqual([1]);
    expect(reverse.ints("scan_output_directions")).toEqual([1]);
    expect(attributesOf(scans[0]).ints("scan_input_directions")).toEqual([0]);
    const body = reverse.graph("body")!;
    expect(body.input!.map((v) => v.name)).toEqual(["layers.0.reverse/layers.0.h_reverse", "layers.0.reverse/x"]);
    expect(body.node!.some((n) => n.output![0] === "layers.0.reverse/layers.0.h_next_reverse")).toBe(true);
    // the params are the main graph's initializers, read by the bodies under their own names
    expect(model.graph!.initializer!.map((t) => t.name).sort()).toEqual(Object.keys(program.params).sort());
    expect(body.node!.some((n) => n.input!.includes("layers.0.W_in_reverse"))).toBe(true);
    // dropout is off at inference: no mask input, no node reads one
    expect(model.graph!.input!.map((v) => v.name)).toEqual(["x"]);
    expect(JSON.stringify(model)).not.toContain("dropout");
  });

  it("leaves the loss and its targets out", () => {
    const model = exportOnnx(
      { input: 3, layers: [{ cell: "rnn", hidden: 2, layerNorm: true }], loss: "mse" },
      randomWeights(loadProgram({ input: 3, layers: [{ cell: "rnn", hidden: 2, layerNorm: true }] }), 1, "float32"),
    );
    expect(model.graph!.input!.map((v) => v.name)).toEqual(["x"]);
    expect(JSON.stringify(model)).not.toContain('"loss"');
  });

  it("refuses a reshape ONNX cannot express, naming the stage, the node and the op", () => {
    const b = new GraphBuilder();
    const x = b.input("x", ["B", 2]);
    const square = b.reshape(b.matmul(x, x, { transposeB: true }), ["B", "B", 1]);
    const back = b.reshape(b.node("reshape", [square], { shape: [1, 1, "B", "B"] }, "moved"), ["B", "B"]);
    b.output("output", b.sum(back, { axes: [1], keepDims: true }));
    const graph = b.toGraph("square");
    expect(() => exportOnnx(graph, {})).toThrow(
      'stage "square" node "moved" (reshape): ONNX Reshape cannot express [B, B, 1] to [1, 1, B, B]: it copies a dimension (0) only at the same index and infers (-1) only one',
    );
  });

  it("refuses a dropout mask read other than as a factor of a product, naming the node", () => {
    const b = new GraphBuilder();
    const x = b.input("x", ["B", 2]);
    const dropped = b.dropout(x, 0.5, { id: "mask" });
    b.output("output", b.node("add", [dropped, "mask"], undefined, "leak"));
    expect(() => exportOnnx(b.toGraph("leaky"), {})).toThrow(
      'stage "leaky" node "leak" (add) reads the dropout mask "mask" other than as a factor of a product',
    );
  });

  it("refuses a program that reads no data, which ONNX could not size", () => {
    const b = new GraphBuilder();
    const h = b.carry("h", ["B", 2]);
    b.update(h, b.tanh(h));
    b.output("output", b.identity(h));
    expect(() => exportOnnx(b.toGraph("free"), {})).toThrow('the program\'s output "output" reads no data sequence');
  });
});
