import { describe, expect, it } from "vitest";
import { compareModel, DTYPES } from "./reference/harness.js";

describe.each(DTYPES)("forward of dense heads and losses matches the plain-loop reference (%s)", (dtype) => {
  it.each(["linear", "sigmoid", "tanh", "softmax"] as const)("a %s head with mse on its output", async (activation) => {
    const { engine } = await compareModel({ input: 3, layers: [{ cell: "gru", hidden: 4 }], head: { units: 2, activation }, loss: "mse" }, { dtype, seed: 41 });
    expect(engine.outputs.shape).toEqual([5, 3, 2]);
  });

  it("a softmax head outputs probabilities and cross_entropy reads the logits", async () => {
    const { engine } = await compareModel(
      { input: 3, layers: [{ cell: "lstm", hidden: 4 }], head: { units: 3, activation: "softmax" }, loss: "cross_entropy" },
      { dtype, seed: 42 },
    );
    for (let r = 0; r < 15; r++) {
      const row = engine.outputs.data.subarray(r * 3, r * 3 + 3);
      expect(row[0] + row[1] + row[2]).toBeCloseTo(1, 5);
    }
  });

  it("a head without a loss", async () => {
    const { engine } = await compareModel({ input: 3, layers: [{ cell: "rnn", hidden: 4 }], head: { units: 2, activation: "sigmoid" } }, { dtype, seed: 43 });
    expect(engine.loss).toBeUndefined();
  });

  it("mse without a head compares the last layer's hidden states", async () => {
    await compareModel({ input: 3, layers: [{ cell: "rnn", hidden: 4, activation: "tanh" }], loss: "mse" }, { dtype, seed: 44 });
  });
});
