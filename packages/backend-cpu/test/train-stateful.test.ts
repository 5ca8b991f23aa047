import { describe, expect, it } from "vitest";
import type { Tensor } from "@unroll/ir";
import { runForward, sgd, Trainer, type Truncation } from "@unroll/bptt";
import { cloneAll, expectAllClose, expectClose, loadFloat64, randomParams, row, steps, tensor, uniform, type Spec } from "./support/bptt-fixtures.js";

// A carried state equals an uninterrupted forward pass: two fit calls on the
// halves of a sequence (lr = 0, so params never change) see exactly the states
// and losses of one pass over the whole sequence.
const T = 6;
const B = 2;
const I = 2;
const O = 2;
const spec: Spec = {
  input: I,
  layers: [
    { cell: "lstm", hidden: 3 },
    { cell: "rnn", hidden: 2 },
  ],
  head: { units: O, activation: "linear" },
  loss: "mse",
};

async function setup(seed: number) {
  const { program, loaded } = await loadFloat64(spec);
  const params = randomParams(program, seed);
  const next = uniform(seed + 1);
  const x = tensor([T, B, I], next);
  const y = tensor([T, B, O], next);
  const half = (from: number, to: number) => ({ sequences: { x: steps(x, from, to), y: steps(y, from, to) } });
  const whole = await runForward(loaded, params, { sequences: { x, y } }, program);
  return { program, loaded, params, first: half(0, T / 2), second: half(T / 2, T), whole };
}

/** mse of outputs against y, mean over all elements. */
function mseOf(outputs: Tensor, y: Tensor): number {
  let s = 0;
  for (let i = 0; i < y.data.length; i++) s += (outputs.data[i] - y.data[i]) ** 2;
  return s / y.data.length;
}

describe("stateful training", () => {
  for (const truncation of [{ kind: "full" }, { kind: "chunked", window: 2 }, { kind: "k1k2", k1: 1, k2: 2 }] as const satisfies readonly Truncation[]) {
    it(`two fit calls on the halves equal one uninterrupted pass (${truncation.kind})`, async () => {
      const { program, loaded, params, first, second, whole } = await setup(3);
      const before = cloneAll(params);
      const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr: 0 }), stateful: true, truncation });
      await trainer.fit(first);
      const afterFirst = trainer.carriedState()[0]!;
      for (const [name, s] of Object.entries(whole.states))
        expectClose(
          `state after step ${T / 2 - 1}: ${name}`,
          afterFirst[name],
          { shape: s.shape.slice(1), data: steps(s, T / 2 - 1, T / 2).data },
          1e-15,
          1e-13,
        );
      const fit2 = await trainer.fit(second);
      // the carried state after both halves is the uninterrupted final state
      expectAllClose("final state", trainer.carriedState()[0]!, whole.finalState, 1e-15, 1e-13);
      // every step of the second half, rerun from the state carried out of the first
      const rerun = await runForward(loaded, params, { ...second, initialState: afterFirst }, program);
      for (const [name, s] of Object.entries(whole.states)) expectClose(`states.${name}`, rerun.states[name], steps(s, T / 2, T), 1e-15, 1e-13);
      if (truncation.kind === "full") expect(fit2.loss).toBeCloseTo(mseOf(steps(whole.outputs, T / 2, T), second.sequences.y), 14);
      expectAllClose("params (lr = 0)", params, before, 0, 0);
    });
  }

  it("carries one state per minibatch", async () => {
    const { program, loaded, params, first, second, whole } = await setup(5);
    const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr: 0 }), stateful: true, batchSize: 1 });
    await trainer.fit(first);
    await trainer.fit(second);
    const carried = trainer.carriedState();
    expect(carried.length).toBe(B);
    for (let b = 0; b < B; b++)
      for (const [name, s] of Object.entries(whole.finalState)) expectClose(`minibatch ${b} ${name}`, carried[b]![name], row(s, b, 0), 1e-15, 1e-13);
  });

  it("resetState() restarts from zeros", async () => {
    const { program, loaded, params, first, second } = await setup(7);
    const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr: 0 }), stateful: true });
    await trainer.fit(first);
    trainer.resetState();
    expect(trainer.carriedState()).toEqual([]);
    const fit = await trainer.fit(second);
    const fromZeros = await runForward(loaded, params, second, program);
    expect(fit.loss).toBeCloseTo(fromZeros.loss!, 14);
    expectAllClose("final state", trainer.carriedState()[0]!, fromZeros.finalState, 1e-15, 1e-13);
  });

  it("without stateful, every call starts from the initial state", async () => {
    const { program, loaded, params, first, second } = await setup(9);
    const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr: 0 }) });
    await trainer.fit(first);
    const fit = await trainer.fit(second);
    expect(trainer.carriedState()).toEqual([]);
    expect(fit.loss).toBeCloseTo((await runForward(loaded, params, second, program)).loss!, 14);
    // with a given initial state, from that state
    const h0: Record<string, Tensor> = {};
    for (const name of Object.keys(program.states)) h0[name] = tensor([B, name.startsWith("layers.0") ? 3 : 2], uniform(11));
    const fitGiven = await trainer.fit({ ...second, initialState: h0 });
    expect(fitGiven.loss).toBeCloseTo((await runForward(loaded, params, { ...second, initialState: h0 }, program)).loss!, 14);
    expect(fitGiven.loss).not.toBeCloseTo(fit.loss, 6);
  });
});
