import { describe, expect, it } from "vitest";
import { initParams } from "@unroll/bptt";
import { loadProgram } from "@unroll/ir";
import { exportOnnx, importOnnxRecurrent } from "../src/index.js";

// unroll's export keeps a row of length 0 at its initial state with Where(lengths > 0, final state, initial state),
// since ONNX Runtime's recurrent nodes zero it: the import reads that idiom as the final state itself, and nothing
// looser (a Where that puts another state's input there is refused, naming the node).
const spec = { input: 2, layers: [{ cell: "lstm" as const, hidden: 3 }] };
const weights = initParams(loadProgram(spec), 1, "float32");
const exported = () => exportOnnx(spec, weights, { sequenceLengths: true, initialStates: true });

describe("ONNX import of the export's kept initial states", () => {
  it("reads Where(lengths > 0, final state, initial state) as the final state", () => {
    const imported = importOnnxRecurrent(exported());
    expect(imported.model.layers).toEqual([{ cell: "lstm", hidden: 3 }]);
    expect(imported.outputs.map((o) => `${o.name}: ${o.role}`)).toEqual([
      "output: sequence",
      "finalState.layers.0.h: finalStates",
      "finalState.layers.0.c: finalStates",
    ]);
  });

  it("refuses the Where when its third input is another state's initial value", () => {
    const model = exported();
    const where = model.graph!.node!.find((n) => n.opType === "Where" && n.output![0] === "finalState.layers.0.h")!;
    where.input![2] = "initialState.layers.0.c";
    expect(() => importOnnxRecurrent(model)).toThrow(
      `node "finalState.layers.0.h" (Where): input 2 is the graph input "initialState.layers.0.c", not the initial state of layers.0.h; unroll's import reads Where(lengths > 0, a final state, that state's initial state input) only`,
    );
  });
});
