import { loadProgram } from "@unroll/ir";
import { describe, expect, it } from "vitest";
import { decodeOnnxModel, encodeOnnxModel, exportOnnx, importOnnxScan, type OnnxGraph, type OnnxModel } from "../src/index.js";
import { attr, attributesOf } from "../src/onnx/onnx-attributes.js";
import { caseOptions, everyOpGraph, gatedCellGraph, nativeCases, scanCases, type ExportCase } from "./support/export-cases.js";
import { expectSameRun, randomInputs, randomWeights, runOnnx, runUnroll } from "./support/onnx-run.js";

const everyOp: ExportCase = { name: "every-op", document: everyOpGraph(), lengths: [4, 1, 3], initialStates: true, ids: { cls: 4 }, cells: ["Scan"] };

/** The body of a model's first Scan. */
const firstBody = (model: OnnxModel): OnnxGraph => attributesOf(model.graph!.node!.find((n) => n.opType === "Scan")!).graph("body")!;

/** The bytes of a model, read back. */
const throughFile = (model: OnnxModel): OnnxModel => decodeOnnxModel(encodeOnnxModel(model));

describe("import of Scan exports", () => {
  [...scanCases, everyOp].forEach((c, i) => {
    it(`${c.name}: a round trip through an ONNX file gives the same weights and the same outputs`, async () => {
      const program = loadProgram(c.document);
      const weights = randomWeights(program, 500 + i, "float32");
      const exported = exportOnnx(c.document, weights, caseOptions(c));
      const back = importOnnxScan(throughFile(exported));

      expect(Object.keys(back.weights).sort()).toEqual(Object.keys(weights).sort());
      for (const [name, t] of Object.entries(weights)) {
        expect(back.weights[name].shape, name).toEqual(t.shape);
        expect(back.weights[name].data, name).toEqual(t.data);
      }
      const imported = back.program;
      expect(imported.stages.map((s) => s.reverse)).toEqual(program.stages.map((s) => s.reverse));
      expect(Object.keys(imported.states).sort()).toEqual(Object.keys(program.states).sort());

      const inputs = randomInputs(program, 600 + i, "float32", { steps: 6, batch: c.lengths?.length ?? 3, ...c });
      const expected = await runUnroll(c.document, weights, inputs, "float32");
      expectSameRun(await runUnroll(back.program.program, back.weights, inputs, "float32"), expected, 1e-6);
      // and the imported program exports to a file ONNX Runtime runs to the same numbers
      expectSameRun(await runOnnx(exportOnnx(back.program.program, back.weights, caseOptions(c)), inputs, "float32"), expected, 1e-5);
    });
  });

  it("keeps float64 weights as float64 and a state's init", async () => {
    const b = gatedCellGraph();
    const graph = { ...b, carry: [{ id: "h", shape: ["B", 8] as ["B", number], init: 0.5 }] };
    const program = loadProgram(graph);
    const weights = randomWeights(program, 3, "float64");
    const back = importOnnxScan(throughFile(exportOnnx(graph, weights, { dtype: "float64" })));
    expect(back.weights["U"].data).toBeInstanceOf(Float64Array);
    expect(back.weights["U"].data).toEqual(weights["U"].data);
    expect(back.program.program.stages[0].graph.carry).toEqual([{ id: "h", shape: ["B", 8], init: 0.5 }]);
    const inputs = randomInputs(program, 4, "float64", { steps: 4, batch: 2 });
    expectSameRun(await runUnroll(back.program.program, back.weights, inputs, "float64"), await runUnroll(graph, weights, inputs, "float64"), 1e-12);
  });

  it("names the stages and the values as the program did", () => {
    const c = scanCases.find((k) => k.name === "bidirectional-as-scan")!;
    const back = importOnnxScan(exportOnnx(c.document, randomWeights(loadProgram(c.document), 1, "float32"), caseOptions(c)));
    expect(back.program.program.stages.map((s) => s.graph.name)).toEqual(["layers.0.forward", "layers.0.reverse", "output"]);
    expect(back.program.program.stages[1].graph.carry.map((k) => k.id)).toEqual(["layers.0.h_reverse", "layers.0.c_reverse"]);
    expect(back.program.program.stages[1].graph.nodes.map((n) => n.id)).toContain("layers.0.h_next_reverse");
    expect(back.program.program.output).toBe("output");
  });

  it("refuses an ONNX op it cannot map, naming the Scan, the node and the op", () => {
    const model = exportOnnx(gatedCellGraph(), randomWeights(loadProgram(gatedCellGraph()), 1, "float32"));
    const tanh = firstBody(model).node!.find((n) => n.opType === "Tanh")!;
    tanh.opType = "Sin";
    expect(() => importOnnxScan(model)).toThrow(
      new RegExp(`^Scan "gated" body node "${tanh.name}" \\(Sin\\): ONNX op Sin has no unroll op; the import maps MatMul, `),
    );
  });

  it("refuses an attribute it cannot honor, naming the node and the attribute", () => {
    const c = scanCases.find((k) => k.name === "layer-norm-lstm")!;
    const model = exportOnnx(c.document, randomWeights(loadProgram(c.document), 1, "float32"));
    const softmax = firstBody(model).node!.find((n) => n.opType === "Softmax")!;
    softmax.attribute = [attr.int("axis", 0)];
    expect(() => importOnnxScan(model)).toThrow(
      `Scan "output" body node "output/head.output" (Softmax): attribute "axis" is 0; unroll's op works on the last axis (1) only`,
    );
    const scan = model.graph!.node!.find((n) => n.opType === "Scan")!;
    scan.attribute = scan.attribute!.map((a) => (a.name === "scan_input_directions" ? attr.ints("scan_input_directions", [1]) : a));
    expect(() => importOnnxScan(model)).toThrow(`node "output" (Scan): attributes "scan_input_directions" and "scan_output_directions" mix directions`);
  });

  it("refuses a model computed outside Scans (RNN/LSTM/GRU nodes have their own import), naming the node", () => {
    const c = nativeCases.find((k) => k.name === "lstm")!;
    const model = exportOnnx(c.document, randomWeights(loadProgram(c.document), 1, "float32"));
    expect(() => importOnnxScan(model)).toThrow(/^node "layers.0" \(LSTM\): outside its Scans the import reads only the nodes that size the initial states/);
  });

  it("refuses a padding step that does not keep the state", () => {
    const model = exportOnnx(gatedCellGraph(), randomWeights(loadProgram(gatedCellGraph()), 1, "float32"), { sequenceLengths: true });
    const update = firstBody(model).node!.find((n) => n.output![0] === "gated/update:h")!;
    update.input![2] = update.input![1];
    expect(() => importOnnxScan(model)).toThrow('Scan "gated": on a padding step the state "h" must keep its value');
  });
});
