import { describe, expect, it } from "vitest";
import { adam, initParams, runForward, Trainer, type Truncation } from "@unroll/bptt";
import { loadFloat64, tensor, type Spec } from "./support/bptt-fixtures.js";

// Sine one step ahead: x_t = sin(0.4 t + φ_b), target sin(0.4 (t+1) + φ_b),
// one phase per row. Fixed seed, library init, Adam; the loss must fall at
// least 5x within a fixed number of epochs.
const T = 20;
const B = 6;

function sineData() {
  const x = tensor([T, B, 1], () => 0);
  const y = tensor([T, B, 1], () => 0);
  for (let t = 0; t < T; t++)
    for (let b = 0; b < B; b++) {
      x.data[t * B + b] = Math.sin(0.4 * t + b);
      y.data[t * B + b] = Math.sin(0.4 * (t + 1) + b);
    }
  return { sequences: { x, y } };
}

const cases: readonly (readonly [string, Spec, Truncation, number])[] = [
  ["lstm, full BPTT", { input: 1, layers: [{ cell: "lstm", hidden: 8 }], head: { units: 1, activation: "linear" }, loss: "mse" }, { kind: "full" }, 120],
  [
    "gru, chunked BPTT(5, 5)",
    { input: 1, layers: [{ cell: "gru", hidden: 8 }], head: { units: 1, activation: "linear" }, loss: "mse" },
    { kind: "chunked", window: 5 },
    40,
  ],
  [
    "rnn tanh, BPTT(4, 8)",
    { input: 1, layers: [{ cell: "rnn", hidden: 8 }], head: { units: 1, activation: "linear" }, loss: "mse" },
    { kind: "k1k2", k1: 4, k2: 8 },
    40,
  ],
];

describe("learning a small task", () => {
  for (const [label, spec, truncation, epochs] of cases) {
    it(`${label}: sine one step ahead, loss falls at least 10x in ${epochs} epochs`, async () => {
      const { program, loaded } = await loadFloat64(spec);
      const params = initParams(program, 2024, "float64");
      const data = sineData();
      const initial = (await runForward(loaded, params, data, program)).loss!;
      const trainer = new Trainer(loaded, program, params, { optimizer: adam({ lr: 0.02 }), truncation });
      for (let e = 0; e < epochs; e++) await trainer.fit(data);
      const final = (await runForward(loaded, params, data, program)).loss!;
      expect(final).toBeLessThan(initial / 10);
    });
  }
});
