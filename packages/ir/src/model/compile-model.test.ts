import { describe, expect, it } from "vitest";
import { checkProgram } from "../check-program.js";
import { GraphError } from "../errors.js";
import type { StepGraph } from "../graph.js";
import type { Program } from "../program.js";
import { checkGraph } from "../validate.js";
import { compileModel, parseModelSpec } from "./compile-model.js";
import type { ModelSpec } from "./model-spec.js";
import { paramShapes } from "./param-shapes.js";

const paramsOf = (g: StepGraph) => Object.fromEntries(g.params.map((p) => [p.id, p.shape]));
const xsOf = (g: StepGraph) => Object.fromEntries(g.xs.map((x) => [x.id, x.shape]));
const ysOf = (p: Program) => p.stages.map((s) => s.graph.ys.map((y) => y.id));
const lossNode = (g: StepGraph) => g.nodes.find((n) => n.id === g.loss);

/** Compiles and checks what every program must satisfy. */
function compile(spec: ModelSpec): Program {
  const program = compileModel(spec);
  program.stages.forEach((s) => checkGraph(s.graph));
  checkProgram(program);
  expect(JSON.parse(JSON.stringify(program))).toStrictEqual(program);
  expect(program.output).toBe("output");
  return program;
}

describe("compileModel, unidirectional", () => {
  it("puts stacked layers and the head in one stage", () => {
    const program = compile({
      input: 3,
      layers: [
        { cell: "rnn", hidden: 4 },
        { cell: "lstm", hidden: 5 },
        { cell: "gru", hidden: 6 },
      ],
      head: { units: 2, activation: "linear" },
      loss: "mse",
    });
    expect(program.stages).toHaveLength(1);
    const g = program.stages[0].graph;
    expect(program.stages[0].reverse).toBeUndefined();
    expect(paramShapes(program)).toEqual({
      "layers.0.W_in": [3, 4],
      "layers.0.W_re": [4, 4],
      "layers.0.b": [4],
      "layers.1.W_in": [4, 20],
      "layers.1.W_re": [5, 20],
      "layers.1.b": [20],
      "layers.2.W_in": [5, 18],
      "layers.2.W_re": [6, 18],
      "layers.2.b_in": [18],
      "layers.2.b_re": [18],
      "head.W": [6, 2],
      "head.b": [2],
    });
    expect(g.carry.map((c) => c.id)).toEqual(["layers.0.h", "layers.1.h", "layers.1.c", "layers.2.h"]);
    expect(xsOf(g)).toEqual({ x: ["B", 3], y: ["B", 2] });
    expect(g.ys).toEqual([{ id: "output", value: "head.logits" }]);
    expect(lossNode(g)).toMatchObject({ op: "mse", inputs: ["head.logits", "y"] });
  });

  it("uses the activated output for mse with a nonlinear head", () => {
    const g = compile({ input: 2, layers: [{ cell: "rnn", hidden: 3 }], head: { units: 1, activation: "sigmoid" }, loss: "mse" }).stages[0].graph;
    expect(lossNode(g)).toMatchObject({ op: "mse", inputs: ["head.output", "y"] });
  });

  it("uses the logits and class ids for cross_entropy", () => {
    const g = compile({
      input: 2,
      layers: [{ cell: "gru", hidden: 3, resetAfter: false }],
      head: { units: 4, activation: "softmax" },
      loss: "cross_entropy",
    }).stages[0].graph;
    expect(xsOf(g)).toEqual({ x: ["B", 2], y: ["B"] });
    expect(g.ys).toEqual([{ id: "output", value: "head.output" }]);
    expect(lossNode(g)).toMatchObject({ op: "softmaxCrossEntropy", inputs: ["head.logits", "y"] });
  });

  it("compares mse targets with the last hidden state when there is no head", () => {
    const g = compile({ input: 2, layers: [{ cell: "lstm", hidden: 3 }], loss: "mse" }).stages[0].graph;
    expect(xsOf(g)).toEqual({ x: ["B", 2], y: ["B", 3] });
    expect(g.ys).toEqual([{ id: "output", value: "layers.0.h_next" }]);
    expect(lossNode(g)?.op).toBe("mse");
  });

  it("has no loss and no targets without a loss", () => {
    const g = compile({ input: 2, layers: [{ cell: "rnn", hidden: 3, activation: "relu" }] }).stages[0].graph;
    expect(g.loss).toBeUndefined();
    expect(Object.keys(xsOf(g))).toEqual(["x"]);
    expect(g.nodes.find((n) => n.id === "layers.0.h_next")?.op).toBe("relu");
  });
});

describe("compileModel, bidirectional", () => {
  const spec: ModelSpec = {
    format: "unroll.model/1",
    input: 3,
    layers: [
      { cell: "rnn", hidden: 4 },
      { cell: "lstm", hidden: 5, bidirectional: true },
      { cell: "gru", hidden: 6 },
    ],
    head: { units: 2, activation: "softmax" },
    loss: "cross_entropy",
  };

  it("splits into before, forward, reverse and after stages", () => {
    const program = compile(spec);
    expect(ysOf(program)).toEqual([["layers.0.out"], ["layers.1.forward"], ["layers.1.reverse"], ["output"]]);
    expect(program.stages.map((s) => s.reverse ?? false)).toEqual([false, false, true, false]);
    expect(program.stages.map((s) => xsOf(s.graph))).toEqual([
      { x: ["B", 3] },
      { "layers.0.out": ["B", 4] },
      { "layers.0.out": ["B", 4] },
      { "layers.1.forward": ["B", 5], "layers.1.reverse": ["B", 5], y: ["B"] },
    ]);
    const [before, fwd, rev, after] = program.stages.map((s) => s.graph);
    expect(before.ys).toEqual([{ id: "layers.0.out", value: "layers.0.h_next" }]);
    expect(paramsOf(fwd)).toEqual({ "layers.1.W_in": [4, 20], "layers.1.W_re": [5, 20], "layers.1.b": [20] });
    expect(paramsOf(rev)).toEqual({ "layers.1.W_in_reverse": [4, 20], "layers.1.W_re_reverse": [5, 20], "layers.1.b_reverse": [20] });
    expect(fwd.carry.map((c) => c.id)).toEqual(["layers.1.h", "layers.1.c"]);
    expect(rev.carry.map((c) => c.id)).toEqual(["layers.1.h_reverse", "layers.1.c_reverse"]);
    expect(after.nodes[0]).toEqual({ id: "layers.1.out", op: "concat", inputs: ["layers.1.forward", "layers.1.reverse"] });
    expect(paramsOf(after)).toEqual({
      "layers.2.W_in": [10, 18],
      "layers.2.W_re": [6, 18],
      "layers.2.b_in": [18],
      "layers.2.b_re": [18],
      "head.W": [6, 2],
      "head.b": [2],
    });
    expect(after.loss).toBeDefined();
    expect([before, fwd, rev].every((g) => g.loss === undefined)).toBe(true);
  });

  it("starts from x when the first layer is bidirectional, and ends with the concat alone", () => {
    const program = compile({ input: 3, layers: [{ cell: "gru", hidden: 4, bidirectional: true }], loss: "mse" });
    expect(ysOf(program)).toEqual([["layers.0.forward"], ["layers.0.reverse"], ["output"]]);
    expect(program.stages.map((s) => Object.keys(xsOf(s.graph)))).toEqual([["x"], ["x"], ["layers.0.forward", "layers.0.reverse", "y"]]);
    const last = program.stages[2].graph;
    expect(last.nodes.map((n) => n.op)).toEqual(["concat", "mse"]);
    expect(last.ys).toEqual([{ id: "output", value: "layers.0.out" }]);
    expect(xsOf(last).y).toEqual(["B", 8]);
    expect(paramShapes(program)).toEqual({
      "layers.0.W_in": [3, 12],
      "layers.0.W_re": [4, 12],
      "layers.0.b_in": [12],
      "layers.0.b_re": [12],
      "layers.0.W_in_reverse": [3, 12],
      "layers.0.W_re_reverse": [4, 12],
      "layers.0.b_in_reverse": [12],
      "layers.0.b_re_reverse": [12],
    });
  });

  it("passes the concat of one bidirectional layer to the next through its own stage", () => {
    const program = compile({
      input: 2,
      layers: [
        { cell: "rnn", hidden: 3, bidirectional: true },
        { cell: "rnn", hidden: 4, bidirectional: true, activation: "sigmoid" },
      ],
      head: { units: 1, activation: "tanh" },
    });
    expect(ysOf(program)).toEqual([["layers.0.forward"], ["layers.0.reverse"], ["layers.0.out"], ["layers.1.forward"], ["layers.1.reverse"], ["output"]]);
    expect(program.stages.map((s) => s.reverse ?? false)).toEqual([false, true, false, false, true, false]);
    expect(xsOf(program.stages[3].graph)).toEqual({ "layers.0.out": ["B", 6] });
    expect(paramShapes(program)["layers.1.W_in_reverse"]).toEqual([6, 4]);
    expect(paramShapes(program)["head.W"]).toEqual([8, 1]);
    expect(program.stages[5].graph.loss).toBeUndefined();
  });

  it("declares unique state names across stages", () => {
    const states = Object.keys(checkProgram(compile(spec)).states);
    expect(states).toEqual(["layers.0.h", "layers.1.h", "layers.1.c", "layers.1.h_reverse", "layers.1.c_reverse", "layers.2.h"]);
  });
});

describe("compileModel, reverse layers", () => {
  it("gives a reverse layer its own reverse stage under the plain names, which the next stage reads", () => {
    const program = compile({
      input: 3,
      layers: [
        { cell: "rnn", hidden: 4 },
        { cell: "lstm", hidden: 5, direction: "reverse" },
        { cell: "gru", hidden: 6, direction: "reverse" },
        { cell: "rnn", hidden: 2 },
      ],
      head: { units: 2, activation: "linear" },
      loss: "mse",
    });
    expect(ysOf(program)).toEqual([["layers.0.out"], ["layers.1.reverse"], ["layers.2.reverse"], ["output"]]);
    expect(program.stages.map((s) => s.reverse ?? false)).toEqual([false, true, true, false]);
    expect(program.stages.map((s) => Object.keys(xsOf(s.graph)))).toEqual([["x"], ["layers.0.out"], ["layers.1.reverse"], ["layers.2.reverse", "y"]]);
    expect(paramsOf(program.stages[1].graph)).toEqual({ "layers.1.W_in": [4, 20], "layers.1.W_re": [5, 20], "layers.1.b": [20] });
    expect(Object.keys(checkProgram(program).states)).toEqual(["layers.0.h", "layers.1.h", "layers.1.c", "layers.2.h", "layers.3.h"]);
  });

  it("ends with a stage that passes the reverse layer's output on when nothing follows it", () => {
    const program = compile({ input: 3, layers: [{ cell: "gru", hidden: 4, direction: "reverse" }] });
    expect(ysOf(program)).toEqual([["layers.0.reverse"], ["output"]]);
    expect(program.stages[1].graph.nodes).toEqual([]);
    expect(program.stages[1].graph.ys).toEqual([{ id: "output", value: "layers.0.reverse" }]);
  });

  it("is the forward layer for direction forward", () => {
    const layer = { cell: "lstm", hidden: 3 } as const;
    expect(compile({ input: 2, layers: [{ ...layer, direction: "forward" }] })).toEqual(compile({ input: 2, layers: [layer] }));
  });
});

describe("model spec errors", () => {
  const expectError = (json: unknown, path: string, message: RegExp) => {
    let error: unknown;
    try {
      parseModelSpec(json);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).path).toBe(path);
    expect((error as GraphError).message).toMatch(message);
    expect((error as GraphError).message.startsWith(`${path}: `)).toBe(true);
  };

  it("names a missing hidden size", () => {
    expectError({ input: 3, layers: [{ cell: "lstm" }] }, "layers[0].hidden", /expected number/);
  });

  it("names a bad cell", () => {
    expectError(
      {
        input: 3,
        layers: [
          { cell: "rnn", hidden: 2 },
          { cell: "transformer", hidden: 2 },
        ],
      },
      "layers[1].cell",
      /"rnn"\|"lstm"\|"gru"/,
    );
  });

  it("requires a softmax head for cross_entropy", () => {
    expectError({ input: 3, layers: [{ cell: "gru", hidden: 2 }], loss: "cross_entropy" }, "loss", /needs a head with activation "softmax"/);
    expectError(
      { input: 3, layers: [{ cell: "gru", hidden: 2 }], head: { units: 2, activation: "sigmoid" }, loss: "cross_entropy" },
      "head.activation",
      /needs activation "softmax", got "sigmoid"/,
    );
  });

  it("rejects options that do not apply to the cell", () => {
    expectError({ input: 3, layers: [{ cell: "lstm", hidden: 2, activation: "relu" }] }, "layers[0].activation", /rnn layers only/);
    expectError({ input: 3, layers: [{ cell: "gru", hidden: 2, activation: "tanh" }] }, "layers[0].activation", /rnn layers only/);
    expectError({ input: 3, layers: [{ cell: "rnn", hidden: 2, resetAfter: true }] }, "layers[0].resetAfter", /gru layers only/);
    expectError(
      { input: 3, layers: [{ cell: "rnn", hidden: 2, bidirectional: true, direction: "reverse" }] },
      "layers[0].direction",
      /^layers\[0\]\.direction: "direction": "reverse" applies to a one-direction layer; a bidirectional layer already has a reverse direction$/,
    );
  });

  it("rejects unknown keys, no layers and a wrong format", () => {
    expectError({ input: 3, layers: [{ cell: "rnn", hidden: 2, peephole: true }] }, "layers[0].peephole", /unknown key/);
    expectError({ input: 3, layers: [] }, "layers", /at least one layer/);
    expectError({ format: "unroll.model/2", input: 3, layers: [{ cell: "rnn", hidden: 2 }] }, "format", /unroll.model\/1/);
    expectError({ input: 0, layers: [{ cell: "rnn", hidden: 2 }] }, "input", /.+/);
  });

  it("lists the keys that are valid where an unknown key stands", () => {
    expectError(
      { input: 3, layers: [{ cell: "rnn", hiden: 2 }] },
      "layers[0].hiden",
      /^layers\[0\]\.hiden: unknown key; valid keys in layers\[0\]: cell, hidden, activation,/,
    );
    expectError(
      { input: 3, layers: [{ cell: "rnn", hidden: 2 }], head: { units: 1, activation: "linear", bias: false } },
      "head.bias",
      /unknown key; valid keys in head: units, activation, init, dropout$/,
    );
    expect(() => parseModelSpec({ input: 3, layers: [{ cell: "rnn", hidden: 2 }], los: "mse" })).toThrow(
      /^los: unknown key; valid keys at the top level: format, input, layers, head, loss/,
    );
  });

  it("checks specs given to compileModel directly", () => {
    const bad = { input: 3, layers: [{ cell: "lstm", hidden: 2, activation: "relu" }] } as ModelSpec;
    expect(() => compileModel(bad)).toThrow("layers[0].activation:");
  });
});
