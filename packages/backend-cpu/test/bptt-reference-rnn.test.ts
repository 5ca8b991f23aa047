import { describe, expect, it } from "vitest";
import { computeGradients } from "@unroll/bptt";
import { expectClose, loadFloat64, randomParams, tensor, uniform } from "./support/bptt-fixtures.js";
import { handRnnBptt } from "./reference/hand-bptt.js";

// The oracle: the vanilla RNN with a linear head and mse, differentiated by hand
// with plain loops (reference/hand-bptt.ts).
const T = 5;
const B = 2;
const I = 3;
const H = 4;
const O = 2;

describe("unrolled autodiff equals the hand-written BPTT of a vanilla RNN", () => {
  for (const activation of ["tanh", "relu", "sigmoid"] as const) {
    it(`${activation}: loss, every parameter gradient, dE/dx and dE/dh_0 agree to 1e-12`, async () => {
      const { program, loaded } = await loadFloat64({
        input: I,
        layers: [{ cell: "rnn", hidden: H, activation }],
        head: { units: O, activation: "linear" },
        loss: "mse",
      });
      const params = randomParams(program, 101, 0.7);
      const next = uniform(202);
      const x = tensor([T, B, I], next);
      const y = tensor([T, B, O], next);
      const h0 = tensor([B, H], next);
      const res = await computeGradients(loaded, program, params, { sequences: { x, y }, initialState: { "layers.0.h": h0 } }, { kind: "full" });
      const hand = handRnnBptt(params, x, y, h0, activation);
      expect(Math.abs(res.loss - hand.loss)).toBeLessThan(1e-12);
      expect(Object.keys(res.grads).sort()).toEqual(Object.keys(hand.grads).sort());
      for (const [name, g] of Object.entries(hand.grads)) expectClose(`grads.${name}`, res.grads[name], g, 1e-12, 0);
      expectClose("inputGrads.x", res.inputGrads.x, hand.dx, 1e-12, 0);
      expectClose("initialStateGrads.h", res.initialStateGrads["layers.0.h"], hand.dh0, 1e-12, 0);
    });
  }
});
