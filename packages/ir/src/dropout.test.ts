import { describe, expect, it } from "vitest";
import { GraphBuilder } from "./builder.js";
import { checkProgram, programOfGraph } from "./check-program.js";
import { GraphError } from "./errors.js";
import { compileModel, parseModelSpec } from "./model/compile-model.js";
import { checkGraph } from "./validate.js";

/** An rnn step graph whose input goes through dropout at `rate`. */
function droppedRnn(rate: number, variational = false): GraphBuilder {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", 3]);
  const h = b.carry("h", ["B", 2]);
  const xd = b.dropout(x, rate, { variational });
  b.update(h, b.tanh(b.add(b.matmul(xd, b.param("W_in", [3, 2])), b.matmul(h, b.param("W_re", [2, 2])))));
  b.output("output", h);
  return b;
}

describe("GraphBuilder.dropout", () => {
  it("declares the mask as an xs of the value's shape and multiplies by it", () => {
    const g = droppedRnn(0.25, true).toGraph();
    expect(g.xs).toEqual([
      { id: "x", shape: ["B", 3] },
      { id: "dropout.0", shape: ["B", 3] },
    ]);
    expect(g.dropout).toEqual([{ id: "dropout.0", rate: 0.25, variational: true }]);
    expect(g.nodes.find((n) => n.op === "mul")?.inputs).toEqual(["x", "dropout.0"]);
    const program = checkProgram(programOfGraph(g));
    expect(program.dropout).toEqual({ "dropout.0": { shape: ["B", 3], rate: 0.25, variational: true } });
    // backends read the mask like data
    expect(Object.keys(program.dataInputs)).toEqual(["x", "dropout.0"]);
  });

  it("adds nothing at rate 0", () => {
    const g = droppedRnn(0).toGraph();
    expect(g.xs.map((x) => x.id)).toEqual(["x"]);
    expect(g.dropout).toBeUndefined();
    expect(g.nodes.some((n) => n.op === "mul")).toBe(false);
  });

  it("refuses a rate outside [0, 1) and a value without a batch axis", () => {
    for (const rate of [1, -0.1, 1.5, NaN]) expect(() => droppedRnn(rate)).toThrow(/dropout rate is the fraction of elements dropped, in \[0, 1\), got/);
    const b = new GraphBuilder();
    expect(() => b.dropout(b.param("W", [2, 2]), 0.5)).toThrow(/must have a batch axis/);
  });

  it("checks that a declared mask is an xs, once", () => {
    const g = droppedRnn(0.5).toGraph();
    expect(() => checkGraph({ ...g, dropout: [{ id: "h", rate: 0.5 }] })).toThrow(/dropout mask "h" is not an xs of this graph \(xs: x, dropout.0\)/);
    expect(() => checkGraph({ ...g, dropout: [g.dropout![0], g.dropout![0]] })).toThrow(/declared twice/);
  });
});

describe("dropout in the model spec", () => {
  it("puts masks on layer inputs, on h_{t-1} into the recurrence and on the head's input", () => {
    const program = checkProgram(
      compileModel({
        input: 3,
        layers: [
          { cell: "lstm", hidden: 4, dropout: 0.1, variational: true, recurrentDropout: 0.2 },
          { cell: "gru", hidden: 5, dropout: 0.3, recurrentDropout: 0.4, resetAfter: false },
          { cell: "rnn", hidden: 2, recurrentDropout: 0.5 },
        ],
        head: { units: 2, activation: "linear", dropout: 0.6 },
        loss: "mse",
      }),
    );
    expect(program.dropout).toEqual({
      "layers.0.dropout": { shape: ["B", 3], rate: 0.1, variational: true },
      "layers.0.recurrentDropout": { shape: ["B", 4], rate: 0.2, variational: true },
      "layers.1.dropout": { shape: ["B", 4], rate: 0.3, variational: false },
      "layers.1.recurrentDropout": { shape: ["B", 5], rate: 0.4, variational: true },
      "layers.2.recurrentDropout": { shape: ["B", 2], rate: 0.5, variational: true },
      "head.dropout": { shape: ["B", 2], rate: 0.6, variational: false },
    });
  });

  it("shares a bidirectional layer's input mask between its two directions, and suffixes the recurrent ones", () => {
    const program = checkProgram(compileModel({ input: 3, layers: [{ cell: "gru", hidden: 2, bidirectional: true, dropout: 0.5, recurrentDropout: 0.5 }] }));
    expect(Object.keys(program.dropout).sort()).toEqual(["layers.0.dropout", "layers.0.recurrentDropout", "layers.0.recurrentDropout_reverse"]);
    expect(program.stages.filter((s) => s.checked.graph.xs.some((x) => x.id === "layers.0.dropout"))).toHaveLength(2);
  });

  it("refuses rates outside [0, 1) and variational without dropout, naming the field", () => {
    const layer = { cell: "rnn", hidden: 2 } as const;
    const cases: [unknown, string][] = [
      [{ input: 3, layers: [{ ...layer, dropout: 1 }] }, "layers[0].dropout"],
      [{ input: 3, layers: [{ ...layer, recurrentDropout: -0.5 }] }, "layers[0].recurrentDropout"],
      [{ input: 3, layers: [layer], head: { units: 1, activation: "linear", dropout: 2 } }, "head.dropout"],
    ];
    for (const [spec, path] of cases) {
      const e = (() => {
        try {
          parseModelSpec(spec);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(GraphError);
      expect((e as GraphError).path).toBe(path);
      expect((e as GraphError).message).toMatch(/in \[0, 1\), got/);
    }
    expect(() => parseModelSpec({ input: 3, layers: [{ ...layer, variational: true }] })).toThrow(/"variational" applies to a layer with "dropout" above 0/);
  });
});
