import { describe, expect, it } from "vitest";
import { compareModel, DTYPES } from "./reference/harness.js";

// Row 0 has the full length, row 1 a single step, row 2 three of five steps.
const lengths = [5, 1, 3];

describe.each(DTYPES)("forward with per-row lengths matches the plain-loop reference (%s)", (dtype) => {
  it.each([
    ["rnn", { cell: "rnn", hidden: 4, activation: "tanh" }],
    ["lstm", { cell: "lstm", hidden: 4 }],
    ["gru", { cell: "gru", hidden: 4, resetAfter: false }],
  ] as const)("%s: zero outputs and a frozen state past each length, loss over valid steps", async (_name, layer) => {
    const { engine } = await compareModel({ input: 3, layers: [layer], loss: "mse" }, { dtype, seed: 61, lengths });
    // row 1 after its single step: the final state is its state at t = 0
    const h = engine.states["layers.0.h"];
    expect([...engine.finalState["layers.0.h"].data.subarray(4, 8)]).toEqual([...h.data.subarray(1 * 12 + 4, 1 * 12 + 8)]);
    // rows 1 and 2 at t = 4 are padding (masking may leave -0, which counts as zero)
    expect([...engine.outputs.data.subarray(4 * 12 + 4, 4 * 12 + 12)].map(Math.abs)).toEqual(new Array(8).fill(0));
    expect(engine.lossRows).toBe(5 + 1 + 3);
  });

  it("stacked layers with a head, from a given initial state", async () => {
    await compareModel(
      {
        input: 3,
        layers: [
          { cell: "lstm", hidden: 4 },
          { cell: "gru", hidden: 3 },
        ],
        head: { units: 2, activation: "sigmoid" },
        loss: "mse",
      },
      { dtype, seed: 62, lengths, initialState: ["layers.0.h", "layers.1.h"] },
    );
  });

  it("a bidirectional layer: the reverse direction starts at each row's own last step", async () => {
    await compareModel({ input: 3, layers: [{ cell: "gru", hidden: 4, bidirectional: true }], loss: "mse" }, { dtype, seed: 63, lengths });
  });

  it("a bidirectional lstm under an rnn, softmax head, cross_entropy, given reverse state", async () => {
    await compareModel(
      {
        input: 3,
        layers: [
          { cell: "lstm", hidden: 4, bidirectional: true },
          { cell: "rnn", hidden: 3 },
        ],
        head: { units: 3, activation: "softmax" },
        loss: "cross_entropy",
      },
      { dtype, seed: 64, lengths, initialState: ["layers.0.h_reverse", "layers.0.c_reverse"] },
    );
  });

  it("every row at full length equals running without lengths", async () => {
    const spec = { input: 3, layers: [{ cell: "lstm", hidden: 4, bidirectional: true }], head: { units: 2, activation: "linear" }, loss: "mse" } as const;
    const masked = await compareModel(spec, { dtype, seed: 65, lengths: [5, 5, 5] });
    const plain = await compareModel(spec, { dtype, seed: 65 });
    expect(Math.abs(masked.engine.loss! - plain.engine.loss!)).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
  });

  it("a row of length 0 contributes nothing and keeps its initial state", async () => {
    const { engine } = await compareModel(
      { input: 3, layers: [{ cell: "rnn", hidden: 4, bidirectional: true }], head: { units: 2, activation: "linear" }, loss: "mse" },
      { dtype, seed: 66, lengths: [4, 0, 2], initialState: ["layers.0.h", "layers.0.h_reverse"] },
    );
    expect(engine.lossRows).toBe(6);
  });
});
