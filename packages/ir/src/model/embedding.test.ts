import { describe, expect, it } from "vitest";
import { checkProgram } from "../check-program.js";
import { checkGraph } from "../validate.js";
import { compileModel, parseModelSpec } from "./compile-model.js";
import { paramShapes } from "./param-shapes.js";

describe("model spec embedding", () => {
  it("reads x as token ids [B] and feeds the rows of embedding.table to the first layer", () => {
    const program = compileModel({
      input: 7,
      embedding: { vocab: 7, units: 5 },
      layers: [{ cell: "gru", hidden: 4 }],
      head: { units: 7, activation: "softmax" },
      loss: "cross_entropy",
    });
    program.stages.forEach((s) => checkGraph(s.graph));
    const checked = checkProgram(program);
    expect(checked.dataInputs).toEqual({ x: ["B"], y: ["B"] });
    expect(paramShapes(program)["embedding.table"]).toEqual([7, 5]);
    expect(paramShapes(program)["layers.0.W_in"]).toEqual([5, 12]);
    const g = program.stages[0].graph;
    expect(g.nodes[0]).toEqual({ id: "embedding.lookup", op: "gather", inputs: ["embedding.table", "x"] });
    expect(program.init).toEqual({ "embedding.table": { kind: "normal", std: 1 } });
  });

  it("passes the looked-up rows to a bidirectional first layer as embedding.out", () => {
    const program = compileModel({
      input: 3,
      embedding: { vocab: 3, units: 2, init: { kind: "uniform", low: -0.1, high: 0.1 } },
      layers: [{ cell: "rnn", hidden: 4, bidirectional: true }],
    });
    expect(program.stages.map((s) => s.graph.ys.map((y) => y.id))).toEqual([["embedding.out"], ["layers.0.forward"], ["layers.0.reverse"], ["output"]]);
    expect(checkProgram(program).dataInputs).toEqual({ x: ["B"] });
    expect(program.init?.["embedding.table"]).toEqual({ kind: "uniform", low: -0.1, high: 0.1 });
  });

  it("requires input to equal the vocab, and refuses unknown keys", () => {
    expect(() => parseModelSpec({ input: 4, embedding: { vocab: 5, units: 2 }, layers: [{ cell: "rnn", hidden: 2 }] })).toThrow(
      'input: with an embedding, "input" is the number of token ids and must equal embedding.vocab (5), got 4',
    );
    expect(() => parseModelSpec({ input: 5, embedding: { vocab: 5, unit: 2 }, layers: [{ cell: "rnn", hidden: 2 }] })).toThrow(
      /embedding\.unit: unknown key; valid keys in embedding: vocab, units, init/,
    );
  });
});
