import { describe, expect, it } from "vitest";
import { initBound } from "@unroll/ir";
import { GraphBuilder, programOfGraph } from "@unroll/ir";
import { checkParamNames, torchModuleSource } from "../src/index.js";
import { paramInits } from "../src/torch-module/param-inits.js";
import { pyIdentifier, pyLiteral, pyNumber } from "../src/torch-module/python.js";
import { checked, modelProgram } from "./support/model-cases.js";

/** A one-stage program with the given params (each [2, 2], used by a matmul chain) and data inputs (each [B, 2]). */
function programWith(params: string[], inputs: string[] = ["x"]) {
  const b = new GraphBuilder();
  let v = inputs.map((id) => b.input(id, ["B", 2])).reduce((a, c) => b.add(a, c));
  for (const p of params) v = b.matmul(v, b.param(p, [2, 2]));
  b.output("output", v);
  return checked(programOfGraph(b.toGraph("t")));
}

describe("torchModuleSource: what it refuses", () => {
  it("a name that is both a parameter and the prefix of another, naming both", () => {
    expect(() => torchModuleSource(programWith(["head", "head.b"]))).toThrow(
      'parameter "head" is also the prefix of parameter "head.b": in a torch module "head" would have to be both a parameter and a submodule; rename one of them',
    );
    expect(() => checkParamNames(["a.b.c", "a.b"])).toThrow('parameter "a.b" is also the prefix of parameter "a.b.c"');
    // a prefix of a name that is not a whole part is no conflict
    expect(() => checkParamNames(["head", "header.b", "layers.0.W", "layers.0.W_re"])).not.toThrow();
  });

  it("a name with an empty part", () => {
    for (const name of ["a..b", ".a", "a."]) expect(() => checkParamNames([name]), name).toThrow(`parameter "${name}" cannot be a torch state_dict key`);
  });

  it("a class name that is not a Python identifier", () => {
    expect(() => torchModuleSource(programWith(["W"]), { className: "my model" })).toThrow('className must be a Python identifier, got "my model"');
  });
});

describe("torchModuleSource: the file", () => {
  const program = modelProgram({
    input: 3,
    layers: [{ cell: "lstm", hidden: 4, bidirectional: true }],
    head: { units: 2, activation: "softmax" },
    loss: "cross_entropy",
  });
  const source = torchModuleSource(program);

  it("imports only torch and the standard library's json, math, os and struct", () => {
    const imports = source.split("\n").filter((l) => /^\s*(import|from)\s/.test(l));
    expect(imports).toEqual([
      "import json",
      "import math",
      "import os",
      "import struct",
      "import torch",
      "from torch import nn",
      "import torch.nn.functional as F",
    ]);
  });

  it("is the same text for the same program, with a stage function per stage and the documented forward", () => {
    expect(
      torchModuleSource(
        modelProgram({
          input: 3,
          layers: [{ cell: "lstm", hidden: 4, bidirectional: true }],
          head: { units: 2, activation: "softmax" },
          loss: "cross_entropy",
        }),
      ),
    ).toBe(source);
    expect(source.match(/^def _stage_\d+\(/gm)).toEqual(["def _stage_0(", "def _stage_1(", "def _stage_2("]);
    expect(source).toContain("    for t in range(T - 1, -1, -1):");
    expect(source).toContain("    def forward(self, x, y, initial_state=None, lengths=None, dropout_masks=None, loss_rows=None):");
    expect(source).toContain("forward(x, y, initial_state=None, lengths=None, dropout_masks=None, loss_rows=None)\n");
    for (const name of Object.keys(program.params)) expect(source).toContain(`"${name}": [`);
  });

  it("names forward's arguments after the data sequences, made Python identifiers where they are not", () => {
    const s = torchModuleSource(programWith(["W"], ["x.0", "in", "lengths", "1st"]));
    expect(s).toContain("def forward(self, x_0, in_, lengths_, _1st, initial_state=None, lengths=None, dropout_masks=None, loss_rows=None):");
    expect(s).toContain(`seqs, T, B = _data({"x.0": x_0, "in": in_, "lengths": lengths_, "1st": _1st}, _SEQUENCES)`);
    expect(s).toContain(`"x.0" (argument x_0): [T, B, 2]`);
  });

  it("writes ids that are not Python names as string literals", () => {
    const b = new GraphBuilder();
    const x = b.input('x"\n', ["B", 2]);
    b.output("output", b.matmul(x, b.param("W\\", [2, 2])));
    const s = torchModuleSource(checked(programOfGraph(b.toGraph('graph """ name\\'))));
    expect(s).toContain(`seqs["x\\"\\n"][t]`);
    expect(s).toContain(`p["W\\\\"]`);
    // (that the docstrings holding these names still parse is checked by running the file: torch-module-checks.test.ts)
    expect(s.split("\n").every((line) => !line.includes("\r"))).toBe(true);
  });
});

describe("the Python helpers", () => {
  it("pyIdentifier keeps identifiers and makes the rest distinct identifiers", () => {
    const taken = new Set(["self"]);
    expect(["x", "x", "self", "class", "a-b", "a_b", "", "2"].map((n) => pyIdentifier(n, taken))).toEqual([
      "x",
      "x_",
      "self_",
      "class_",
      "a_b",
      "a_b_",
      "_",
      "_2",
    ]);
  });

  it("pyNumber and pyLiteral write floats, integers and the values JSON has no literal for", () => {
    expect([1, -0, 0.1, 1e-7, 1e21, NaN, Infinity, -Infinity].map(pyNumber)).toEqual([
      "1.0",
      "-0.0",
      "0.1",
      "1e-7",
      "1e+21",
      "math.nan",
      "math.inf",
      "-math.inf",
    ]);
    expect(pyLiteral({ a: [1, 2.5], b: true, c: null, "d\n": "e" })).toBe('{"a": [1, 2.5], "b": True, "c": None, "d\\n": "e"}');
  });
});

describe("reset_parameters' initializers", () => {
  it("the default bound is @unroll/ir's initBound for every parameter of the built-in cells", () => {
    const program = modelProgram({
      input: 3,
      embedding: undefined,
      layers: [
        { cell: "lstm", hidden: 4, bidirectional: true, layerNorm: true },
        { cell: "gru", hidden: 5 },
        { cell: "rnn", hidden: 6 },
      ],
      head: { units: 2, activation: "linear" },
      loss: "mse",
    });
    const inits = paramInits(program);
    const defaulted = Object.keys(program.params).filter((name) => !program.program.init?.[name]);
    // the layer norms' gains and biases (3 each per direction of the lstm) have initializers of their own
    expect(defaulted.length).toBe(Object.keys(program.params).length - 12);
    for (const name of defaulted) {
      const bound = initBound(name, program.params);
      expect(inits[name], name).toEqual({ kind: "uniform", low: -bound, high: bound });
    }
  });

  it("the program's init where it names a parameter", () => {
    const program = modelProgram({ input: 3, layers: [{ cell: "lstm", hidden: 4, init: { recurrentWeights: { kind: "orthogonal" }, forgetBias: 1 } }] });
    const inits = paramInits(program);
    expect(inits["layers.0.W_re"]).toEqual(program.program.init!["layers.0.W_re"]);
    expect(inits["layers.0.b"]).toEqual(program.program.init!["layers.0.b"]);
  });
});
