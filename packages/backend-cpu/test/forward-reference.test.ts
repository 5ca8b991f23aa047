import { describe, expect, it } from "vitest";
import { gruStep, lstmStep, rnnStep } from "./reference/cells.js";
import { referenceForward } from "./reference/model.js";

// Checks of the reference itself against values worked out by hand, so that
// agreement with the engine means agreement with the equations.
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const dense = (shape: number[], data: number[]) => ({ shape, data });

describe("the plain-loop reference", () => {
  it("rnn: h = f(h W_re + x W_in + b), row vectors", () => {
    const p = {
      W_in: [[1, 2]],
      W_re: [
        [0.5, 0],
        [0, -1],
      ],
      b: [0.1, 0.2],
    };
    const { h } = rnnStep(p, "relu", [3], { h: [1, 1] });
    expect(h).toEqual([Math.max(0, 0.5 + 3 + 0.1), Math.max(0, -1 + 6 + 0.2)]);
    expect(rnnStep(p, "tanh", [-1], { h: [0, 2] }).h).toEqual([Math.tanh(-1 + 0.1), Math.tanh(-2 - 2 + 0.2)]);
  });

  it("lstm: column blocks i, f, g, o", () => {
    // H = 1, no input weight: the pre-activations are the bias blocks
    const p = { W_in: [[0, 0, 0, 0]], W_re: [[0, 0, 0, 0]], b: [0.1, 0.2, 0.3, 0.4] };
    const { h, c } = lstmStep(p, [1], { h: [0], c: [2] });
    const cWant = sig(0.2) * 2 + sig(0.1) * Math.tanh(0.3);
    expect(c![0]).toBeCloseTo(cWant, 15);
    expect(h[0]).toBeCloseTo(sig(0.4) * Math.tanh(cWant), 15);
  });

  it("gru: blocks r, z, n; resetAfter puts r after the n-block matmul and its bias", () => {
    // H = 1, x = 0: every block is h * W_re + b_in + b_re
    const p = { W_in: [[0, 0, 0]], W_re: [[0.3, -0.2, 0.7]], b_in: [0.1, 0.2, 0.3], b_re: [0.05, -0.1, 0.4] };
    const h0 = 0.6;
    const r = sig(0.1 + 0.3 * h0 + 0.05);
    const z = sig(0.2 - 0.2 * h0 - 0.1);
    const nAfter = Math.tanh(0.3 + r * (0.7 * h0 + 0.4));
    const nBefore = Math.tanh(0.3 + 0.7 * (r * h0) + 0.4);
    expect(gruStep(p, true, [0], { h: [h0] }).h[0]).toBeCloseTo((1 - z) * nAfter + z * h0, 15);
    expect(gruStep(p, false, [0], { h: [h0] }).h[0]).toBeCloseTo((1 - z) * nBefore + z * h0, 15);
  });

  it("bidirectional with lengths: the reverse direction starts at each row's last step", () => {
    // rnn with H = 1, W_in = 1, W_re = 1, b = 0 and relu: h counts the sum of the inputs read so far
    const params = {
      "layers.0.W_in": dense([1, 1], [1]),
      "layers.0.W_re": dense([1, 1], [1]),
      "layers.0.b": dense([1], [0]),
      "layers.0.W_in_reverse": dense([1, 1], [1]),
      "layers.0.W_re_reverse": dense([1, 1], [1]),
      "layers.0.b_reverse": dense([1], [0]),
    };
    // T = 3, B = 2, x = 1, 2, 4 in both rows; row 1 has length 2
    const x = dense([3, 2, 1], [1, 1, 2, 2, 4, 4]);
    const r = referenceForward({ input: 1, layers: [{ cell: "rnn", hidden: 1, activation: "relu", bidirectional: true }] }, params, {
      sequences: { x },
      lengths: [3, 2],
    });
    expect(r.outputs).toEqual([
      [
        [1, 7],
        [1, 3],
      ],
      [
        [3, 6],
        [3, 2],
      ],
      [
        [7, 4],
        [0, 0],
      ],
    ]);
    expect(r.states["layers.0.h_reverse"]).toEqual([
      [[7], [3]],
      [[6], [2]],
      [[4], [0]],
    ]);
    expect(r.finalState).toEqual({ "layers.0.h": [[7], [3]], "layers.0.h_reverse": [[7], [3]] });
  });

  it("losses: mse is a plain mean over valid elements, cross_entropy the mean of -log softmax", () => {
    const params = { "layers.0.W_in": dense([1, 1], [0]), "layers.0.W_re": dense([1, 1], [0]), "layers.0.b": dense([1], [0]) };
    const base = { input: 1, layers: [{ cell: "rnn" as const, hidden: 1 }] };
    const x = dense([2, 2, 1], [0, 0, 0, 0]);
    // outputs are all 0, so mse is the mean of y^2 over (t, b) with t < length
    const mse = referenceForward({ ...base, loss: "mse" }, params, { sequences: { x, y: dense([2, 2, 1], [1, 2, 3, 9]) }, lengths: [2, 1] });
    expect(mse.loss).toBe((1 + 4 + 9) / 3);
    const headParams = { ...params, "head.W": dense([1, 2], [0, 0]), "head.b": dense([2], [0, Math.log(3)]) };
    const ce = referenceForward({ ...base, head: { units: 2, activation: "softmax" }, loss: "cross_entropy" }, headParams, {
      sequences: { x, y: dense([2, 2], [0, 1, 0, 1]) },
    });
    // p = [1/4, 3/4] everywhere
    expect(ce.outputs[0][0][0]).toBeCloseTo(0.25, 15);
    expect(ce.loss).toBeCloseTo((2 * -Math.log(0.25) + 2 * -Math.log(0.75)) / 4, 15);
  });
});
