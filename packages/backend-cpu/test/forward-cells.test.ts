import { describe, expect, it } from "vitest";
import { compareModel, DTYPES } from "./reference/harness.js";

// One recurrent layer, no head: outputs are the hidden states and mse compares them with y.
describe.each(DTYPES)("forward of one cell matches the plain-loop reference (%s)", (dtype) => {
  it.each(["tanh", "relu", "sigmoid"] as const)("rnn with %s", async (activation) => {
    const { engine } = await compareModel({ input: 3, layers: [{ cell: "rnn", hidden: 4, activation }], loss: "mse" }, { dtype, seed: 11 });
    expect(Object.keys(engine.states)).toEqual(["layers.0.h"]);
  });

  it("rnn with the default activation (tanh)", async () => {
    await compareModel({ input: 3, layers: [{ cell: "rnn", hidden: 4 }], loss: "mse" }, { dtype, seed: 12 });
  });

  it("lstm", async () => {
    const { engine } = await compareModel({ input: 3, layers: [{ cell: "lstm", hidden: 4 }], loss: "mse" }, { dtype, seed: 13 });
    expect(Object.keys(engine.states).sort()).toEqual(["layers.0.c", "layers.0.h"]);
  });

  it.each([true, false])("gru with resetAfter %s", async (resetAfter) => {
    await compareModel({ input: 3, layers: [{ cell: "gru", hidden: 4, resetAfter }], loss: "mse" }, { dtype, seed: 14 });
  });

  it("gru with the default (reset after)", async () => {
    await compareModel({ input: 3, layers: [{ cell: "gru", hidden: 4 }], loss: "mse" }, { dtype, seed: 15 });
  });

  it("a cell without a loss reports no loss", async () => {
    const { engine } = await compareModel({ input: 3, layers: [{ cell: "lstm", hidden: 4 }] }, { dtype, seed: 16 });
    expect(engine.loss).toBeUndefined();
  });
});
