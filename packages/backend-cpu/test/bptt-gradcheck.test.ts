import { describe, expect, it } from "vitest";
import { resolveShape, type Tensor } from "@unroll/ir";
import { computeGradients, runForward, type SequenceData } from "@unroll/bptt";
import { classIds, expectMatchesFiniteDifferences, loadFloat64, randomParams, tensor, uniform, type Spec } from "./support/bptt-fixtures.js";

// Every built-in cell through the full scheduler (computeGradients, full BPTT),
// float64, checked element by element against central finite differences of the
// forward loss: |analytic - numeric| <= 1e-8 + 1e-6·|numeric| (FD_TOL).
const T = 4;
const B = 2;
const I = 3;
const H = 3;
const O = 2;

const mseHead = { units: O, activation: "linear" } as const;
const cases: readonly (readonly [string, Spec])[] = [
  ["rnn tanh", { input: I, layers: [{ cell: "rnn", hidden: H }], head: mseHead, loss: "mse" }],
  ["rnn relu", { input: I, layers: [{ cell: "rnn", hidden: H, activation: "relu" }], head: mseHead, loss: "mse" }],
  ["rnn sigmoid", { input: I, layers: [{ cell: "rnn", hidden: H, activation: "sigmoid" }], head: mseHead, loss: "mse" }],
  ["lstm", { input: I, layers: [{ cell: "lstm", hidden: H }], head: mseHead, loss: "mse" }],
  ["gru resetAfter true", { input: I, layers: [{ cell: "gru", hidden: H, resetAfter: true }], head: mseHead, loss: "mse" }],
  ["gru resetAfter false", { input: I, layers: [{ cell: "gru", hidden: H, resetAfter: false }], head: mseHead, loss: "mse" }],
  [
    "stacked lstm + gru",
    {
      input: I,
      layers: [
        { cell: "lstm", hidden: H },
        { cell: "gru", hidden: H },
      ],
      head: mseHead,
      loss: "mse",
    },
  ],
  ["bidirectional lstm", { input: I, layers: [{ cell: "lstm", hidden: H, bidirectional: true }], head: mseHead, loss: "mse" }],
  [
    "rnn then bidirectional gru, softmax head, cross_entropy",
    {
      input: I,
      layers: [
        { cell: "rnn", hidden: H },
        { cell: "gru", hidden: H, bidirectional: true, resetAfter: false },
      ],
      head: { units: O + 1, activation: "softmax" },
      loss: "cross_entropy",
    },
  ],
  [
    "gru, softmax head, cross_entropy",
    { input: I, layers: [{ cell: "gru", hidden: H }], head: { units: O + 1, activation: "softmax" }, loss: "cross_entropy" },
  ],
  ["rnn without head, mse on h", { input: I, layers: [{ cell: "rnn", hidden: H }], loss: "mse" }],
  ["lstm, sigmoid head, mse", { input: I, layers: [{ cell: "lstm", hidden: H }], head: { units: O, activation: "sigmoid" }, loss: "mse" }],
  ["rnn, tanh head, mse", { input: I, layers: [{ cell: "rnn", hidden: H }], head: { units: O, activation: "tanh" }, loss: "mse" }],
];

/** x, targets and a random initial state for every state of the program. */
function dataFor(spec: Spec, states: Readonly<Record<string, { shape: readonly (number | "B")[] }>>, seed: number): SequenceData {
  const next = uniform(seed);
  const x = tensor([T, B, I], next);
  const width = spec.head?.units ?? spec.layers[spec.layers.length - 1].hidden;
  const y = spec.loss === "cross_entropy" ? classIds([T, B], width, seed + 1) : tensor([T, B, width], next);
  const initialState: Record<string, Tensor> = {};
  for (const [name, info] of Object.entries(states)) initialState[name] = tensor(resolveShape(info.shape, B), () => 0.5 * next());
  return { sequences: { x, y }, initialState };
}

describe("gradient check of every built-in cell (full BPTT, float64)", () => {
  for (const [label, spec] of cases) {
    it(`${label}: params, x and initial state match finite differences`, async () => {
      const { program, loaded } = await loadFloat64(spec);
      const params = randomParams(program, 11);
      const data = dataFor(spec, program.states, 23);
      const res = await computeGradients(loaded, program, params, data, { kind: "full" });
      const loss = async () => (await runForward(loaded, params, data, program)).loss!;
      expect(res.loss).toBe(await loss());
      for (const [name, p] of Object.entries(params)) await expectMatchesFiniteDifferences(`grads.${name}`, p, res.grads[name], loss);
      await expectMatchesFiniteDifferences("inputGrads.x", data.sequences.x, res.inputGrads.x, loss);
      expect(Object.keys(res.initialStateGrads).sort()).toEqual(Object.keys(program.states).sort());
      for (const [name, s] of Object.entries(data.initialState!)) {
        await expectMatchesFiniteDifferences(`initialStateGrads.${name}`, s, res.initialStateGrads[name], loss);
      }
    });
  }
});

describe("loss definition", () => {
  it("mse is the mean over all (t, b, o) elements of (output - y)^2, no 1/2", async () => {
    const spec: Spec = { input: I, layers: [{ cell: "lstm", hidden: H }], head: mseHead, loss: "mse" };
    const { program, loaded } = await loadFloat64(spec);
    const data = dataFor(spec, {}, 5);
    const r = await runForward(loaded, randomParams(program, 3), data, program);
    const y = data.sequences.y.data;
    let sum = 0;
    for (let i = 0; i < y.length; i++) sum += (r.outputs.data[i] - y[i]) ** 2;
    expect(r.loss).toBeCloseTo(sum / (T * B * O), 14);
    expect(r.lossRows).toBe(T * B);
  });

  it("cross_entropy is the mean over (t, b) of -log p[class], the output being the softmax probabilities", async () => {
    const C = 4;
    const spec: Spec = { input: I, layers: [{ cell: "gru", hidden: H }], head: { units: C, activation: "softmax" }, loss: "cross_entropy" };
    const { program, loaded } = await loadFloat64(spec);
    const data = dataFor(spec, {}, 6);
    const r = await runForward(loaded, randomParams(program, 4), data, program);
    let sum = 0;
    for (let tb = 0; tb < T * B; tb++) {
      const p = r.outputs.data.subarray(tb * C, (tb + 1) * C);
      expect(Array.from(p).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 14);
      sum -= Math.log(p[data.sequences.y.data[tb]]);
    }
    expect(r.loss).toBeCloseTo(sum / (T * B), 13);
  });
});
