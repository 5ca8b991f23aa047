import { describe, expect, it } from "vitest";
import { checkProgram, GraphBuilder, programOfGraph, resolveShape, type CheckedProgram, type Tensor } from "@unroll/ir";
import { computeGradients, rtrlMemory, WindowCompiler, type SequenceData } from "@unroll/bptt";
import { createCpuBackend } from "../src/index.js";
import { classIds, expectAllClose, loadFloat64, randomParams, tensor, uniform, type Spec } from "./support/bptt-fixtures.js";

// RTRL computes the gradient of the whole sequence forward in time; it must equal full BPTT's.
const T = 6;
const B = 3;
const I = 2;
// float64: both sum the same terms in different orders
const ATOL = 1e-13;
const RTOL = 1e-10;

const specs: readonly (readonly [string, Spec])[] = [
  ["rnn tanh, linear head, mse", { input: I, layers: [{ cell: "rnn", hidden: 3 }], head: { units: 2, activation: "linear" }, loss: "mse" }],
  ["rnn relu, mse", { input: I, layers: [{ cell: "rnn", hidden: 3, activation: "relu" }], head: { units: 2, activation: "sigmoid" }, loss: "mse" }],
  ["lstm, softmax, cross_entropy", { input: I, layers: [{ cell: "lstm", hidden: 3 }], head: { units: 3, activation: "softmax" }, loss: "cross_entropy" }],
  ["gru (reset after), mse", { input: I, layers: [{ cell: "gru", hidden: 3 }], head: { units: 2, activation: "tanh" }, loss: "mse" }],
  ["gru (reset before), mse", { input: I, layers: [{ cell: "gru", hidden: 3, resetAfter: false }], head: { units: 2, activation: "linear" }, loss: "mse" }],
  [
    "stacked rnn + lstm + gru, mse",
    {
      input: I,
      layers: [
        { cell: "rnn", hidden: 2 },
        { cell: "lstm", hidden: 2 },
        { cell: "gru", hidden: 3 },
      ],
      head: { units: 2, activation: "linear" },
      loss: "mse",
    },
  ],
];

function dataFor(program: CheckedProgram, spec: Spec | undefined, seed: number, lengths?: number[]): SequenceData {
  const next = uniform(seed);
  const x = tensor([T, B, I], next);
  const units = spec?.head?.units ?? 2;
  const y = spec?.loss === "cross_entropy" ? classIds([T, B], units, seed + 1) : tensor([T, B, units], next);
  const initialState: Record<string, Tensor> = {};
  for (const [name, info] of Object.entries(program.states)) initialState[name] = tensor(resolveShape(info.shape, B), () => 0.5 * next());
  return { sequences: { x, y }, initialState, ...(lengths ? { lengths } : {}) };
}

async function expectRtrlEqualsBptt(program: CheckedProgram, data: SequenceData, seed: number): Promise<void> {
  const loaded = await createCpuBackend().load(program, { dtype: "float64" });
  const params = randomParams(program, seed);
  const bptt = await computeGradients(loaded, program, params, data, { kind: "full" });
  const rtrl = await computeGradients(loaded, program, params, data, { kind: "full" }, { method: "rtrl" });
  expect(rtrl.loss).toBeCloseTo(bptt.loss, 12);
  expectAllClose("grads", rtrl.grads, bptt.grads, ATOL, RTOL);
  expectAllClose("outputs", { y: rtrl.forward.outputs }, { y: bptt.forward.outputs }, 0, 0);
  expect(rtrl.inputGrads).toEqual({});
  // the gradient is not trivially zero
  expect(Object.values(bptt.grads).some((g) => g.data.some((v) => Math.abs(v) > 1e-3))).toBe(true);
  await loaded.dispose();
}

describe(`RTRL equals full BPTT (float64, |rtrl - bptt| <= ${ATOL} + ${RTOL}·|bptt|)`, () => {
  for (const [name, spec] of specs) {
    it(name, async () => {
      const { program } = await loadFloat64(spec);
      await expectRtrlEqualsBptt(program, dataFor(program, spec, 11), 5);
    });
  }

  it("a masked batch (lengths 6, 2, 0)", async () => {
    const spec = specs[2][1];
    const { program } = await loadFloat64(spec);
    await expectRtrlEqualsBptt(program, dataFor(program, spec, 12, [6, 2, 0]), 6);
  });

  it("a custom cell composed from primitive ops", async () => {
    // a gated unit that is not a built-in, with a carry that feeds itself through a product
    const b = new GraphBuilder();
    const x = b.input("x", ["B", I]);
    const y = b.input("y", ["B", 2]);
    const h = b.carry("h", ["B", 3], 0.1);
    const g = b.add(b.matmul(b.concat(x, h), b.param("W_g", [I + 3, 6])), b.param("b_g", [6]));
    const f = b.sigmoid(b.slice(g, 0, 3));
    const c = b.tanh(b.add(b.matmul(b.concat(x, b.mul(f, h)), b.param("W_c", [I + 3, 3])), b.param("b_c", [3])));
    const hNext = b.add(h, b.mul(f, b.sub(c, h)));
    b.update(h, hNext);
    const out = b.add(b.matmul(b.mul(b.sigmoid(b.slice(g, 3, 6)), hNext), b.param("W_out", [3, 2])), b.param("b_out", [2]));
    b.output("output", out);
    b.loss(b.mse(out, y));
    const program = checkProgram(programOfGraph(b.toGraph("gated unit")));
    await expectRtrlEqualsBptt(program, dataFor(program, undefined, 13), 7);
  });
});

describe("RTRL refuses what it cannot serve", () => {
  it("truncation", async () => {
    const { program, loaded } = await loadFloat64(specs[0][1]);
    const run = computeGradients(
      loaded,
      program,
      randomParams(program, 1),
      dataFor(program, specs[0][1], 1),
      { kind: "chunked", window: 2 },
      { method: "rtrl" },
    );
    await expect(run).rejects.toThrow(/truncation does not apply/);
  });

  it("a bidirectional model", async () => {
    const spec: Spec = { input: I, layers: [{ cell: "rnn", hidden: 2, bidirectional: true }], head: { units: 2, activation: "linear" }, loss: "mse" };
    const { program, loaded } = await loadFloat64(spec);
    await expect(computeGradients(loaded, program, randomParams(program, 1), dataFor(program, spec, 1), { kind: "full" }, { method: "rtrl" })).rejects.toThrow(
      /RTRL needs a causal model: stage \d scans in reverse/,
    );
  });

  it("a request over the memory budget, with the figures, before allocating", async () => {
    const spec = specs[2][1];
    const { program, loaded } = await loadFloat64(spec);
    const run = computeGradients(
      loaded,
      program,
      randomParams(program, 1),
      dataFor(program, spec, 1),
      { kind: "full" },
      { method: "rtrl", memoryBudget: 4096 },
    );
    await expect(run).rejects.toThrow(
      /RTRL would need [\d.]+ KiB for a window of 6 steps, above the memory budget of 4.00 KiB: its sensitivities alone are [\d,]+ numbers/,
    );
  });
});

describe("RTRL's memory", () => {
  it("does not grow with the window's length beyond its data and outputs", async () => {
    const spec = specs[2][1];
    const { program } = await loadFloat64(spec);
    const compiler = new WindowCompiler(program);
    const [short, long] = [rtrlMemory(compiler, 16, B, "float64", false), rtrlMemory(compiler, 256, B, "float64", false)];
    expect(long.sensitivities).toBe(short.sensitivities);
    // per step: x [B, I], y [B], outputs [B, 3], loss [B] and its seed [B]
    const perStep = B * (I + 1 + 3 + 1 + 1) * 8;
    expect(long.peak - short.peak).toBeLessThanOrEqual((256 - 16) * perStep);
    expect(short.sensitivities).toBeGreaterThan(16 * perStep);
  });
});
