import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkProgram, compileModel, type Tensor } from "@unroll/ir";
import { computeGradients, initParams, type Truncation } from "@unroll/bptt";
import { createCpuBackend } from "../src/index.js";
import { expectAllClose, expectClose, tensor } from "./support/bptt-fixtures.js";

// Loss, gradients and outputs computed by the engine before the scheduler owned time (commit 585d4b7,
// the CPU backend's own window runner), with exactly these cases, seeds and data: the shared executor
// must reproduce them to 1e-12 in float64.
const fixture = JSON.parse(readFileSync(new URL("./fixtures/gradients-585d4b7.json", import.meta.url), "utf8")) as {
  cases: Record<string, { loss: number; grads: Record<string, number[]>; inputGrads: number[]; outputs: number[] }>;
};

// an lstm then a gru, with a linear head: the first two cases
const stacked = {
  input: 2,
  layers: [
    { cell: "lstm", hidden: 3 },
    { cell: "gru", hidden: 3 },
  ],
  head: { units: 2, activation: "linear" },
  loss: "mse",
};

const cases: { name: string; spec: unknown; truncation: Truncation; lengths?: number[]; checkpointEvery?: number }[] = [
  { name: "lstm+gru stacked, linear head, full", spec: stacked, truncation: { kind: "full" } },
  {
    name: "lstm+gru stacked, BPTT(2, 4), lengths, checkpoints every 3",
    spec: stacked,
    truncation: { kind: "k1k2", k1: 2, k2: 4 },
    lengths: [9, 5, 7],
    checkpointEvery: 3,
  },
  {
    name: "rnn relu, chunked 4",
    spec: { input: 2, layers: [{ cell: "rnn", hidden: 4, activation: "relu" }], head: { units: 2, activation: "tanh" }, loss: "mse" },
    truncation: { kind: "chunked", window: 4 },
  },
  {
    name: "gru resetAfter false then bidirectional lstm, softmax cross-entropy, full, lengths",
    spec: {
      input: 2,
      layers: [
        { cell: "gru", hidden: 3, resetAfter: false },
        { cell: "lstm", hidden: 2, bidirectional: true },
      ],
      head: { units: 3, activation: "softmax" },
      loss: "cross_entropy",
    },
    truncation: { kind: "full" },
    lengths: [9, 6, 8],
  },
];
const [T, B] = [9, 3];
/** The fixture's data: `sin(0.7 i + phase)` over the elements in order. */
const seq = (width: number, phase: number): Tensor => {
  let i = 0;
  return tensor([T, B, width], () => Math.sin(0.7 * i++ + phase));
};
/** Fixture values as a tensor shaped like `like`. */
const before = (like: Tensor, values: readonly number[]): Tensor => ({ shape: like.shape, data: Float64Array.from(values) });
// absolute, no relative slack: "to 1e-12"
const [ATOL, RTOL] = [1e-12, 0];

describe("gradients equal those of the engine before window programs (float64, to 1e-12)", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (name, c) => {
    const old = fixture.cases[name];
    const program = checkProgram(compileModel(c.spec as never));
    const params = initParams(program, 5, "float64");
    const y =
      (c.spec as { loss: string }).loss === "cross_entropy" ? { shape: [T, B], data: Float64Array.from({ length: T * B }, (_, i) => i % 3) } : seq(2, 1);
    const data = { sequences: { x: seq(2, 0), y }, ...(c.lengths ? { lengths: c.lengths } : {}) };
    const loaded = await createCpuBackend().load(program, { dtype: "float64" });
    const r = await computeGradients(loaded, program, params, data, c.truncation, c.checkpointEvery ? { checkpointEvery: c.checkpointEvery } : {});
    // the fixture's loss is the sum of the window means, as the engine reported it then (now it reports their meanLoss)
    const windowSum = r.windows.reduce((a, w) => a + w.loss, 0);
    expect(Math.abs(windowSum - old.loss), `sum of window losses ${windowSum} vs ${old.loss} before`).toBeLessThanOrEqual(ATOL);
    expectAllClose("grads", r.grads, Object.fromEntries(Object.entries(old.grads).map(([k, v]) => [k, before(r.grads[k], v)])), ATOL, RTOL);
    expectClose("inputGrads.x", r.inputGrads.x, before(r.inputGrads.x, old.inputGrads), ATOL, RTOL);
    expectClose("outputs", r.forward.outputs, before(r.forward.outputs, old.outputs), ATOL, RTOL);
  });
});
