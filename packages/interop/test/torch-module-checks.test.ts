import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCpuBackend } from "@unroll/backend-cpu";
import { runForward } from "@unroll/bptt";
import { checkProgram, GraphBuilder, programOfGraph, type CheckedProgram, type Tensor } from "@unroll/ir";
import { encodeSafetensors, torchModuleSource } from "../src/index.js";
import { checked, dataFor, modelProgram, weightsFor } from "./support/model-cases.js";
import { runPython, torchSkip } from "./support/python.js";
import { flatOf, tensorMismatch } from "./support/torch-cases.js";

/** lstm [4] with a softmax head of 3 classes: x [T, B, 3] and class ids y [T, B]. */
const classifier = modelProgram({ input: 3, layers: [{ cell: "lstm", hidden: 4 }], head: { units: 3, activation: "softmax" }, loss: "cross_entropy" });

/** Every kind of dropout mask: per step and variational, of a model spec and of a custom cell. */
const dropout = modelProgram({
  input: 3,
  layers: [
    { cell: "lstm", hidden: 4, dropout: 0.3, recurrentDropout: 0.2 },
    { cell: "gru", hidden: 3, dropout: 0.25, variational: true },
  ],
  head: { units: 2, activation: "linear", dropout: 0.4 },
  loss: "mse",
});

/** A program with one param of each name, used by a chain of matmuls over x [B, 2]. */
function programWith(params: string[]): CheckedProgram {
  const b = new GraphBuilder();
  let v = b.input("x", ["B", 2]);
  for (const p of params) v = b.matmul(v, b.param(p, [2, 2]));
  b.output("output", v);
  return checked(programOfGraph(b.toGraph("t")));
}

/** Ids and a graph name that are no Python names: quotes, a backslash, a newline, triple quotes. */
function oddNames(): CheckedProgram {
  const b = new GraphBuilder();
  const x = b.input('x"\n', ["B", 2]);
  b.output("output", b.matmul(x, b.param("W\\", [2, 2])));
  return checked(programOfGraph(b.toGraph('graph """ name\\"')));
}

/** The initializers of docs/guides/composing-a-custom-cell.md, and glorot. */
function initialized(): CheckedProgram {
  const b = new GraphBuilder();
  const ids = b.input("x", ["B"]);
  const h = b.carry("h", ["B", 4]);
  const embedded = b.gather(b.param("E", [10, 3]), ids);
  const pre = b.add(b.matmul(embedded, b.param("W", [3, 4])), b.matmul(h, b.param("U", [4, 4])));
  const hNext = b.tanh(b.layerNorm(pre, b.param("gain", [4]), b.param("bias", [4])));
  b.update(h, hNext);
  b.output("output", b.matmul(hNext, b.param("V", [4, 6])));
  return checkProgram({
    ...programOfGraph(b.toGraph("embedded, normalized")),
    init: {
      U: { kind: "orthogonal" },
      gain: { kind: "constant", value: 1 },
      bias: { kind: "zeros" },
      E: { kind: "normal", std: 1 },
      W: { kind: "glorotUniform" },
    },
  });
}

/** An lstm whose bias is initialized in blocks: the forget gate's at 1. */
const forgetBias = modelProgram({ input: 3, layers: [{ cell: "lstm", hidden: 5, init: { forgetBias: 1 } }] });

/** Tensors of each dtype the module writes, with names a writer must order with care. */
const tensors: Record<string, { tensor: Tensor; dtype: "F64" | "F32" | "I64" }> = {
  "b.weight": { tensor: { shape: [2, 3], data: Float64Array.from([1, -2.5, 3e-9, 4, 5, 6]) }, dtype: "F64" },
  "0": { tensor: { shape: [3], data: Float32Array.from([0.1, 0.2, -0.3]) }, dtype: "F32" },
  é: { tensor: { shape: [], data: Float64Array.from([7]) }, dtype: "F64" },
  a: { tensor: { shape: [2, 2], data: Float64Array.from([1, 2, 3, 4]) }, dtype: "I64" },
  empty: { tensor: { shape: [0, 2], data: new Float64Array(0) }, dtype: "F32" },
};

type Check = Record<string, unknown> & { kind: string; program: CheckedProgram };

const badInputs = [
  "class id out of range",
  "class id not an integer",
  "length past the sequence",
  "lengths of another batch",
  "unknown initial state",
  "initial state of another shape",
  "sequence of another shape",
  "sequences of different lengths",
];
const floatData = dataFor(classifier, { steps: 6, batch: 3, ids: { y: 3 }, lengths: [6, 4, 1], seed: 31 });
const floatWeights = weightsFor(classifier, 30);

const checks: Check[] = [
  ...badInputs.map((c) => ({ kind: "bad input", program: classifier, case: c })),
  { kind: "dropout draws", program: dropout },
  { kind: "construct", program: programWith(["forward"]) },
  { kind: "construct", program: programWith(["layers.train"]) },
  { kind: "construct", program: oddNames() },
  { kind: "initialization", program: initialized() },
  { kind: "initialization", program: forgetBias },
  { kind: "safetensors bytes", program: classifier },
  {
    kind: "float32 run",
    program: classifier,
    weights: Object.fromEntries(Object.entries(floatWeights).map(([n, t]) => [n, flatOf(t)])),
    sequences: Object.fromEntries(Object.entries(floatData.sequences).map(([n, t]) => [n, flatOf(t)])),
    arguments: ["x", "y"],
    lengths: floatData.lengths,
  },
];

describe.skipIf(torchSkip !== undefined)("the exported module's behaviour: errors, dropout draws, initialization, files, float32", () => {
  let dir = "";
  let results: Record<string, unknown>[] = [];
  const result = <T>(kind: string, k = 0): T => {
    const r = results.filter((_, i) => checks[i].kind === kind)[k];
    expect(r.error, String(r.error)).toBeUndefined();
    return r as T;
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "unroll-torch-checks-"));
    const entries = checks.map(({ program, ...check }, k) => {
      const module = join(dir, `check_${k}.py`);
      writeFileSync(module, torchModuleSource(program));
      const extra =
        check.kind === "safetensors bytes"
          ? {
              tensors: Object.fromEntries(Object.entries(tensors).map(([n, { tensor, dtype }]) => [n, { ...flatOf(tensor), dtype }])),
              path: join(dir, "t.safetensors"),
              metadata: { format: "pt", é: "ü" },
            }
          : {};
      return { ...check, ...extra, module };
    });
    writeFileSync(join(dir, "checks.json"), JSON.stringify(entries));
    const { seconds } = await runPython("module_checks.py", [join(dir, "checks.json"), join(dir, "results.json")]);
    results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as Record<string, unknown>[];
    console.log(`torch-module-checks.test: python ran ${checks.length} checks in ${seconds.toFixed(1)} s`);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("bad inputs raise errors that name the node, step and row, the argument, or the state", () => {
    const messages = badInputs.map((_, k) => result<{ type: string; message: string }>("bad input", k));
    expect(messages).toEqual([
      { type: "ValueError", message: 'node "loss" (softmaxCrossEntropy) at step 2: row 1 has id 3.0, which is not an integer in [0, 3)' },
      { type: "ValueError", message: 'node "loss" (softmaxCrossEntropy) at step 1: row 0 has id 0.5, which is not an integer in [0, 3)' },
      { type: "ValueError", message: "lengths[1] is 5; lengths must be integers from 0 to the sequence length 4" },
      { type: "ValueError", message: "lengths has 3 entries but the batch has 2 rows" },
      { type: "KeyError", message: "initial state 'layers.0.hh' is not a state of the model (states: layers.0.h, layers.0.c)" },
      { type: "ValueError", message: "initial state 'layers.0.h' must have shape [2, 4], got [2, 5]" },
      { type: "ValueError", message: "sequence 'x' must be time-major [T, B, 3], got [4, 2, 2]" },
      { type: "ValueError", message: "sequence 'y' has 3 steps and 2 rows but the first sequence has 4 and 2" },
    ]);
  });

  it("training draws masks of 0 and 1/(1-rate) at the rate, one draw for all steps when variational; evaluation gives ones", () => {
    const r = result<
      Record<string, { shape: number[]; values: number[]; zeros: number; elements: number; sameEveryStep: boolean }> & { "evaluation all ones": boolean }
    >("dropout draws");
    expect(r["evaluation all ones"]).toBe(true);
    for (const [name, info] of Object.entries(dropout.dropout)) {
      const m = r[name];
      expect(m.values, name).toEqual([0, 1 / (1 - info.rate)]);
      // the fraction of zeros is the rate, within 5 standard deviations of a binomial draw
      expect(Math.abs(m.zeros - info.rate), name).toBeLessThan(5 * Math.sqrt((info.rate * (1 - info.rate)) / m.elements));
      expect(m.sameEveryStep, name).toBe(info.variational);
    }
    expect(Object.values(dropout.dropout).some((d) => d.variational)).toBe(true);
  });

  it("a parameter name torch refuses (an attribute of nn.Module) fails at construction, naming it", () => {
    expect(result("construct", 0)).toEqual({
      type: "ValueError",
      message: expect.stringContaining("parameter 'forward': torch refuses the parameter name 'forward'"),
    });
    expect(result("construct", 1)).toEqual({
      type: "ValueError",
      message: expect.stringContaining("parameter 'layers.train': torch refuses the parameter name 'train'"),
    });
  });

  it("ids with quotes, backslashes and newlines, and a docstring with triple quotes, give a file Python runs", () => {
    expect(result("construct", 2)).toEqual({ returned: true });
  });

  it("reset_parameters draws from unroll's initializers", () => {
    const p = result<Record<string, { shape: number[]; data: number[] }>>("initialization");
    const program = initialized();
    expect(Object.keys(p).sort()).toEqual(Object.keys(program.params).sort());
    // orthogonal: UᵀU = I (drawn in float32, the dtype of a new module)
    const U = p["U"].data;
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) expect(Math.abs([0, 1, 2, 3].reduce((s, r) => s + U[r * 4 + i] * U[r * 4 + j], 0) - (i === j ? 1 : 0))).toBeLessThan(1e-6);
    expect(p["gain"].data).toEqual([1, 1, 1, 1]);
    expect(p["bias"].data).toEqual([0, 0, 0, 0]);
    const bound = Math.sqrt(6 / (3 + 4));
    expect(p["W"].data.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(p["W"].data.some((v) => Math.abs(v) > bound / 2)).toBe(true);
    // the default: V is a dense weight without a W_re, uniform in ±1/sqrt(4) (its rows)
    expect(p["V"].data.every((v) => Math.abs(v) <= 0.5)).toBe(true);
    const E = p["E"].data;
    const std = Math.sqrt(E.reduce((s, v) => s + v * v, 0) / E.length);
    expect(std).toBeGreaterThan(0.5);
    expect(std).toBeLessThan(1.5);
    // blocks: the lstm's forget gate's block of its bias is 1, the other blocks uniform in ±1/sqrt(5)
    const b = result<Record<string, { data: number[] }>>("initialization", 1)["layers.0.b"].data;
    expect(b.slice(5, 10)).toEqual([1, 1, 1, 1, 1]);
    expect([...b.slice(0, 5), ...b.slice(10)].every((v) => Math.abs(v) <= 1 / Math.sqrt(5) && v !== 0)).toBe(true);
  });

  it("save_safetensors writes the bytes encodeSafetensors writes, and load_safetensors reads them back", () => {
    const r = result<{ hex: string; roundTrip: boolean }>("safetensors bytes");
    expect(r.roundTrip).toBe(true);
    const ours = encodeSafetensors(Object.fromEntries(Object.entries(tensors).map(([n, t]) => [n, t.tensor])), {
      dtype: Object.fromEntries(Object.entries(tensors).map(([n, t]) => [n, t.dtype])),
      metadata: { format: "pt", é: "ü" },
    });
    expect(r.hex).toBe(Buffer.from(ours).toString("hex"));
  });

  it("in float32 the module gives unroll's float64 outputs and loss to float32's precision", async () => {
    const r = result<{ dtype: string; outputs: number[]; loss: number }>("float32 run");
    expect(r.dtype).toBe("torch.float32");
    const backend = createCpuBackend();
    try {
      const want = await runForward(await backend.load(classifier, { dtype: "float64" }), floatWeights, floatData, classifier);
      expect(tensorMismatch("outputs", { shape: [...want.outputs.shape], data: r.outputs }, flatOf(want.outputs), 1e-5)).toBeUndefined();
      expect(Math.abs(r.loss - want.loss!) / want.loss!).toBeLessThan(1e-5);
      // and not to float64's: the module really ran in float32
      expect(tensorMismatch("outputs", { shape: [...want.outputs.shape], data: r.outputs }, flatOf(want.outputs), 1e-12)).toBeDefined();
    } finally {
      await backend.dispose();
    }
  });
});

if (torchSkip) it.skip(torchSkip, () => {});
