import { describe, it } from "vitest";
import { compareModel, DTYPES } from "./reference/harness.js";

describe.each(DTYPES)("forward from a given initial state matches the plain-loop reference (%s)", (dtype) => {
  it("every state of a stacked lstm/gru given", async () => {
    await compareModel(
      {
        input: 3,
        layers: [
          { cell: "lstm", hidden: 4 },
          { cell: "gru", hidden: 3 },
        ],
        head: { units: 2, activation: "linear" },
        loss: "mse",
      },
      { dtype, seed: 51, initialState: ["layers.0.h", "layers.0.c", "layers.1.h"] },
    );
  });

  it("some states given, the missing ones start at zero", async () => {
    await compareModel(
      {
        input: 3,
        layers: [
          { cell: "lstm", hidden: 4 },
          { cell: "rnn", hidden: 3, activation: "relu" },
        ],
        loss: "mse",
      },
      { dtype, seed: 52, initialState: ["layers.0.c"] },
    );
  });

  it("a bidirectional layer: the reverse initial state enters at t = T-1", async () => {
    await compareModel(
      { input: 3, layers: [{ cell: "lstm", hidden: 4, bidirectional: true }], head: { units: 2, activation: "tanh" }, loss: "mse" },
      { dtype, seed: 53, initialState: ["layers.0.h", "layers.0.c", "layers.0.h_reverse", "layers.0.c_reverse"] },
    );
  });

  it("only the reverse state of a bidirectional gru given", async () => {
    await compareModel(
      { input: 3, layers: [{ cell: "gru", hidden: 4, bidirectional: true, resetAfter: false }], loss: "mse" },
      { dtype, seed: 54, initialState: ["layers.0.h_reverse"] },
    );
  });
});
