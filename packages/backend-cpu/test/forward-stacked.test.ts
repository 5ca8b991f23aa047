import { describe, expect, it } from "vitest";
import { compareModel, DTYPES } from "./reference/harness.js";

describe.each(DTYPES)("forward of stacked layers matches the plain-loop reference (%s)", (dtype) => {
  it("lstm under gru, with a linear head and mse", async () => {
    const { program } = await compareModel(
      {
        input: 3,
        layers: [
          { cell: "lstm", hidden: 4 },
          { cell: "gru", hidden: 3, resetAfter: false },
        ],
        head: { units: 2, activation: "linear" },
        loss: "mse",
      },
      { dtype, seed: 21 },
    );
    expect(Object.keys(program.states)).toEqual(["layers.0.h", "layers.0.c", "layers.1.h"]);
  });

  it("relu rnn under lstm under gru, no head", async () => {
    await compareModel(
      {
        input: 3,
        layers: [
          { cell: "rnn", hidden: 4, activation: "relu" },
          { cell: "lstm", hidden: 5 },
          { cell: "gru", hidden: 4 },
        ],
        loss: "mse",
      },
      { dtype, seed: 22 },
    );
  });
});
