import { describe, expect, it } from "vitest";
import { GraphBuilder } from "../builder.js";
import { GraphError } from "../errors.js";
import type { StepGraph } from "../graph.js";
import { checkGraph } from "../validate.js";
import { denseHead } from "./dense-head.js";
import { gruCell } from "./gru-cell.js";
import { lstmCell } from "./lstm-cell.js";
import { rnnCell } from "./rnn-cell.js";

const I = 3;
const H = 4;

/** A one-cell graph: input x [B, I], the cell, its output as ys "h". */
function oneCell(build: (b: GraphBuilder, x: string) => string): { graph: StepGraph; h: string } {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", I]);
  const h = build(b, x);
  b.output("h", h);
  const graph = b.toGraph("cell");
  checkGraph(graph);
  return { graph, h };
}

const paramsOf = (g: StepGraph) => Object.fromEntries(g.params.map((p) => [p.id, p.shape]));
const carriesOf = (g: StepGraph) => Object.fromEntries(g.carry.map((c) => [c.id, c.shape]));
const opsOf = (g: StepGraph) => g.nodes.map((n) => n.op);

describe("rnnCell", () => {
  it("declares the contract's params and carry and updates h with its output", () => {
    const { graph, h } = oneCell((b, x) => rnnCell(b, { name: "layers.0", input: x, inputSize: I, hidden: H }));
    expect(paramsOf(graph)).toEqual({ "layers.0.W_in": [I, H], "layers.0.W_re": [H, H], "layers.0.b": [H] });
    expect(carriesOf(graph)).toEqual({ "layers.0.h": ["B", H] });
    expect(graph.update).toEqual({ "layers.0.h": h });
    expect(graph.nodes.find((n) => n.id === h)?.op).toBe("tanh");
  });

  it("uses the requested activation and the suffix", () => {
    for (const activation of ["relu", "sigmoid"] as const) {
      const { graph, h } = oneCell((b, x) => rnnCell(b, { name: "layers.2", suffix: "_reverse", input: x, inputSize: I, hidden: H, activation }));
      expect(Object.keys(paramsOf(graph))).toEqual(["layers.2.W_in_reverse", "layers.2.W_re_reverse", "layers.2.b_reverse"]);
      expect(Object.keys(carriesOf(graph))).toEqual(["layers.2.h_reverse"]);
      expect(graph.nodes.find((n) => n.id === h)?.op).toBe(activation);
    }
  });

  it("rejects an input of the wrong width", () => {
    expect(() => oneCell((b, x) => rnnCell(b, { name: "layers.0", input: x, inputSize: 5, hidden: H }))).toThrow(
      /rnnCell "layers.0": input "x" has shape \[B, 3\], expected \[B, 5\]/,
    );
    expect(() => oneCell((b, x) => rnnCell(b, { name: "layers.0", input: x, inputSize: I, hidden: 0 }))).toThrow(GraphError);
  });
});

describe("lstmCell", () => {
  it("declares 4H-wide params, carries h and c, and updates both", () => {
    const { graph, h } = oneCell((b, x) => lstmCell(b, { name: "layers.1", input: x, inputSize: I, hidden: H }));
    expect(paramsOf(graph)).toEqual({ "layers.1.W_in": [I, 4 * H], "layers.1.W_re": [H, 4 * H], "layers.1.b": [4 * H] });
    expect(carriesOf(graph)).toEqual({ "layers.1.h": ["B", H], "layers.1.c": ["B", H] });
    expect(graph.update).toEqual({ "layers.1.h": h, "layers.1.c": "layers.1.c_next" });
    // gate blocks i, f, g, o in column order
    const slices = graph.nodes.filter((n) => n.op === "slice").map((n) => n.attrs);
    expect(slices).toEqual([0, 1, 2, 3].map((k) => ({ start: k * H, end: (k + 1) * H })));
    expect(["layers.1.i", "layers.1.f", "layers.1.g", "layers.1.o"].map((id) => graph.nodes.find((n) => n.id === id)?.op)).toEqual([
      "sigmoid",
      "sigmoid",
      "tanh",
      "sigmoid",
    ]);
  });

  it("suffixes params and carries", () => {
    const { graph } = oneCell((b, x) => lstmCell(b, { name: "layers.0", suffix: "_reverse", input: x, inputSize: I, hidden: H }));
    expect(Object.keys(paramsOf(graph))).toEqual(["layers.0.W_in_reverse", "layers.0.W_re_reverse", "layers.0.b_reverse"]);
    expect(Object.keys(carriesOf(graph))).toEqual(["layers.0.h_reverse", "layers.0.c_reverse"]);
  });
});

describe("gruCell", () => {
  const gruParams = { "layers.0.W_in": [I, 3 * H], "layers.0.W_re": [H, 3 * H], "layers.0.b_in": [3 * H], "layers.0.b_re": [3 * H] };

  it("declares the contract's params (reset after by default)", () => {
    const { graph, h } = oneCell((b, x) => gruCell(b, { name: "layers.0", input: x, inputSize: I, hidden: H }));
    expect(paramsOf(graph)).toEqual(gruParams);
    expect(carriesOf(graph)).toEqual({ "layers.0.h": ["B", H] });
    expect(graph.update).toEqual({ "layers.0.h": h });
    // one recurrent matmul over all three blocks, no param slicing
    const matmuls = graph.nodes.filter((n) => n.op === "matmul");
    expect(matmuls.map((n) => n.inputs)).toEqual([
      ["x", "layers.0.W_in"],
      ["layers.0.h", "layers.0.W_re"],
    ]);
  });

  it("without resetAfter multiplies r * h by the n block of W_re", () => {
    const { graph } = oneCell((b, x) => gruCell(b, { name: "layers.0", input: x, inputSize: I, hidden: H, resetAfter: false }));
    expect(paramsOf(graph)).toEqual(gruParams);
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const paramSlices = graph.nodes.filter((n) => n.op === "slice" && n.inputs[0].startsWith("layers.0.")).map((n) => [n.inputs[0], n.attrs]);
    expect(paramSlices).toEqual([
      ["layers.0.W_re", { start: 0, end: 2 * H }],
      ["layers.0.b_re", { start: 0, end: 2 * H }],
      ["layers.0.W_re", { start: 2 * H, end: 3 * H }],
      ["layers.0.b_re", { start: 2 * H, end: 3 * H }],
    ]);
    const nMatmul = graph.nodes.filter((n) => n.op === "matmul")[2];
    const resetState = byId.get(nMatmul.inputs[0]);
    expect(resetState?.op).toBe("mul");
    expect(resetState?.inputs).toEqual(["layers.0.r", "layers.0.h"]);
  });
});

describe("denseHead", () => {
  const withHead = (activation: "linear" | "sigmoid" | "tanh" | "softmax") => {
    const b = new GraphBuilder();
    const x = b.input("x", ["B", H]);
    const head = denseHead(b, { name: "head", input: x, inputSize: H, units: 2, activation });
    b.output("output", head.output);
    return { head, graph: b.build().graph };
  };

  it("declares head.W and head.b", () => {
    const { graph, head } = withHead("softmax");
    expect(paramsOf(graph)).toEqual({ "head.W": [H, 2], "head.b": [2] });
    expect(head).toEqual({ logits: "head.logits", output: "head.output" });
    expect(graph.nodes.find((n) => n.id === "head.output")?.op).toBe("softmax");
  });

  it("returns the logits themselves for a linear head", () => {
    const { head, graph } = withHead("linear");
    expect(head.output).toBe(head.logits);
    expect(opsOf(graph)).toEqual(["matmul", "add"]);
  });

  it("applies sigmoid and tanh", () => {
    expect(withHead("sigmoid").graph.nodes.at(-1)?.op).toBe("sigmoid");
    expect(withHead("tanh").graph.nodes.at(-1)?.op).toBe("tanh");
  });
});

describe("stacked cells in one builder", () => {
  it("feed each layer's new h to the next at the same step", () => {
    const { graph } = oneCell((b, x) => {
      const h0 = lstmCell(b, { name: "layers.0", input: x, inputSize: I, hidden: H });
      return gruCell(b, { name: "layers.1", input: h0, inputSize: H, hidden: 2 });
    });
    expect(graph.nodes.find((n) => n.op === "matmul" && n.inputs[1] === "layers.1.W_in")?.inputs[0]).toBe("layers.0.h_next");
    expect(Object.keys(carriesOf(graph))).toEqual(["layers.0.h", "layers.0.c", "layers.1.h"]);
  });
});
