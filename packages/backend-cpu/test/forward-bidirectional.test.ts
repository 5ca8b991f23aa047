import { describe, expect, it } from "vitest";
import { compareModel, DTYPES } from "./reference/harness.js";

describe.each(DTYPES)("forward of bidirectional layers matches the plain-loop reference (%s)", (dtype) => {
  it.each(["rnn", "lstm", "gru"] as const)("a bidirectional %s alone: output concat(h_t, h_t_reverse)", async (cell) => {
    const { engine, program } = await compareModel({ input: 3, layers: [{ cell, hidden: 4, bidirectional: true }], loss: "mse" }, { dtype, seed: 31 });
    expect(engine.outputs.shape).toEqual([5, 3, 8]);
    expect(Object.keys(program.states)).toContain("layers.0.h_reverse");
  });

  it("the reverse final state is its state at t = 0, the forward one at t = T-1", async () => {
    const { engine } = await compareModel({ input: 3, layers: [{ cell: "lstm", hidden: 4, bidirectional: true }] }, { dtype, seed: 32 });
    const at = (name: string, t: number) => [...engine.states[name].data.subarray(t * 12, (t + 1) * 12)];
    for (const k of ["h", "c"]) {
      expect([...engine.finalState[`layers.0.${k}`].data]).toEqual(at(`layers.0.${k}`, 4));
      expect([...engine.finalState[`layers.0.${k}_reverse`].data]).toEqual(at(`layers.0.${k}_reverse`, 0));
    }
  });

  it("a bidirectional gru stacked under an lstm", async () => {
    await compareModel(
      {
        input: 3,
        layers: [
          { cell: "gru", hidden: 4, bidirectional: true },
          { cell: "lstm", hidden: 3 },
        ],
        loss: "mse",
      },
      { dtype, seed: 33 },
    );
  });

  it("a bidirectional lstm between an rnn and a gru, with a tanh head", async () => {
    await compareModel(
      {
        input: 3,
        layers: [
          { cell: "rnn", hidden: 4, activation: "sigmoid" },
          { cell: "lstm", hidden: 3, bidirectional: true },
          { cell: "gru", hidden: 4, resetAfter: false },
        ],
        head: { units: 2, activation: "tanh" },
        loss: "mse",
      },
      { dtype, seed: 34 },
    );
  });

  it("two bidirectional layers in a row, with a softmax head and cross_entropy", async () => {
    await compareModel(
      {
        input: 3,
        layers: [
          { cell: "rnn", hidden: 4, bidirectional: true },
          { cell: "gru", hidden: 3, bidirectional: true },
        ],
        head: { units: 2, activation: "softmax" },
        loss: "cross_entropy",
      },
      { dtype, seed: 35 },
    );
  });

  it("a bidirectional lstm with a linear head and mse", async () => {
    await compareModel(
      { input: 3, layers: [{ cell: "lstm", hidden: 4, bidirectional: true }], head: { units: 2, activation: "linear" }, loss: "mse" },
      { dtype, seed: 36 },
    );
  });
});

describe.each(DTYPES)("forward of reverse layers matches the plain-loop reference (%s)", (dtype) => {
  it.each(["rnn", "lstm", "gru"] as const)("a reverse %s alone: plain names, final state at t = 0", async (cell) => {
    const { engine, program } = await compareModel({ input: 3, layers: [{ cell, hidden: 4, direction: "reverse" }], loss: "mse" }, { dtype, seed: 37 });
    expect(engine.outputs.shape).toEqual([5, 3, 4]);
    expect(Object.keys(program.states)).toEqual(cell === "lstm" ? ["layers.0.h", "layers.0.c"] : ["layers.0.h"]);
    expect([...engine.finalState["layers.0.h"].data]).toEqual([...engine.states["layers.0.h"].data.subarray(0, 12)]);
  });

  it("reverse layers between forward ones, with per-row lengths, initial states and a softmax head", async () => {
    await compareModel(
      {
        input: 3,
        layers: [
          { cell: "rnn", hidden: 4, activation: "relu" },
          { cell: "lstm", hidden: 3, direction: "reverse" },
          { cell: "gru", hidden: 4, direction: "reverse", resetAfter: false },
          { cell: "rnn", hidden: 2, bidirectional: true },
        ],
        head: { units: 3, activation: "softmax" },
        loss: "cross_entropy",
      },
      { dtype, seed: 38, lengths: [5, 1, 3], initialState: ["layers.1.h", "layers.1.c", "layers.2.h", "layers.3.h_reverse"] },
    );
  });

  it("a reverse first layer under a forward gru, with lengths (one of them 0)", async () => {
    await compareModel(
      {
        input: 3,
        layers: [
          { cell: "gru", hidden: 4, direction: "reverse" },
          { cell: "gru", hidden: 3 },
        ],
        loss: "mse",
      },
      { dtype, seed: 39, lengths: [2, 5, 0] },
    );
  });
});
