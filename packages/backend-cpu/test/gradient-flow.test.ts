import { describe, expect, it } from "vitest";
import type { Tensor } from "@unroll/ir";
import { computeGradients, sgd, sliceSteps, Trainer, WindowCompiler, type RunOptions, type SequenceData, type Truncation } from "@unroll/bptt";
import { cloneAll } from "./support/bptt-fixtures.js";
import { expectClose, loadFloat64, randomParams, tensor, uniform } from "./support/bptt-fixtures.js";
import { frobenius, handLstmBptt, handRnnBptt, type HandGrads } from "./reference/hand-bptt.js";

// Gradient flow through time: the norm of each state's delta dE/dh_t at every
// step, checked against the deltas of hand-written BPTT (reference/hand-bptt.ts).
const T = 6;
const B = 2;
const I = 3;
const H = 4;
const O = 2;

function expectNorms(actual: readonly number[] | undefined, deltas: readonly number[][][], what: string): void {
  expect(actual, what).toBeDefined();
  expect(actual!.length, what).toBe(deltas.length);
  deltas.forEach((d, t) => expect(Math.abs(actual![t] - frobenius(d)), `${what} at step ${t}: ${actual![t]} vs ${frobenius(d)}`).toBeLessThan(1e-12));
}

function expectGradNorms(actual: Readonly<Record<string, number>> | undefined, hand: HandGrads): void {
  expect(Object.keys(actual ?? {}).sort()).toEqual(Object.keys(hand.grads).sort());
  for (const [name, g] of Object.entries(hand.grads)) expect(Math.abs(actual![name] - frobenius([Array.from(g.data)])), name).toBeLessThan(1e-12);
}

const rnnSpec = { input: I, layers: [{ cell: "rnn", hidden: H, activation: "tanh" }], head: { units: O, activation: "linear" }, loss: "mse" };

async function rnnCase() {
  const { program, loaded } = await loadFloat64(rnnSpec);
  const params = randomParams(program, 11, 0.8);
  const next = uniform(12);
  const x = tensor([T, B, I], next);
  const y = tensor([T, B, O], next);
  const h0 = tensor([B, H], next);
  const data: SequenceData = { sequences: { x, y }, initialState: { "layers.0.h": h0 } };
  /** Gradients with delta norms, of `data` unless other data is given. */
  const measure = (truncation: Truncation, options: RunOptions = {}, on: SequenceData = data) =>
    computeGradients(loaded, program, params, on, truncation, { deltaNorms: true, ...options });
  return { program, loaded, params, x, y, h0, data, measure };
}

describe("delta norms: the seed's recursion, measured", () => {
  it("vanilla RNN, full BPTT: ‖dE/dh_t‖ at every step and each parameter's gradient norm equal the hand-written recursion's", async () => {
    const { params, x, y, h0, measure } = await rnnCase();
    const r = await measure({ kind: "full" });
    const hand = handRnnBptt(params, x, y, h0, "tanh");
    expect(r.windows).toHaveLength(1);
    expect(Object.keys(r.windows[0].deltaNorms!)).toEqual(["layers.0.h"]);
    expectNorms(r.windows[0].deltaNorms!["layers.0.h"], hand.deltas["layers.0.h"], "h");
    expectGradNorms(r.windows[0].gradNorms, hand);
  });

  it("LSTM, full BPTT: the norms of dE/dh_t and dE/dc_t equal a hand-written LSTM backward's (whose gradients equal the engine's)", async () => {
    const { program, loaded } = await loadFloat64({ input: I, layers: [{ cell: "lstm", hidden: 3 }], head: { units: O, activation: "linear" }, loss: "mse" });
    const params = randomParams(program, 21, 0.7);
    const next = uniform(22);
    const x = tensor([T, B, I], next);
    const y = tensor([T, B, O], next);
    const r = await computeGradients(loaded, program, params, { sequences: { x, y } }, { kind: "full" }, { deltaNorms: true });
    const hand = handLstmBptt(params, x, y);
    expect(Math.abs(r.loss - hand.loss)).toBeLessThan(1e-12);
    for (const [name, g] of Object.entries(hand.grads)) expectClose(`grads.${name}`, r.grads[name], g, 1e-12, 0);
    const norms = r.windows[0].deltaNorms!;
    expect(Object.keys(norms).sort()).toEqual(["layers.0.c", "layers.0.h"]);
    expectNorms(norms["layers.0.h"], hand.deltas["layers.0.h"], "h");
    expectNorms(norms["layers.0.c"], hand.deltas["layers.0.c"], "c");
    expectGradNorms(r.windows[0].gradNorms, hand);
  });

  it("truncated BPTT(3, 3): each window's norms are its own loss's deltas from the state entering it, over its span only", async () => {
    const { params, x, y, h0, measure } = await rnnCase();
    const r = await measure({ kind: "k1k2", k1: 3, k2: 3 });
    expect(r.windows.map((w) => [w.start, w.end])).toEqual([
      [0, 3],
      [3, 6],
    ]);
    const states = r.forward.states["layers.0.h"];
    for (const w of r.windows) {
      const entering: Tensor = w.start === 0 ? h0 : { shape: [B, H], data: states.data.slice((w.start - 1) * B * H, w.start * B * H) };
      const hand = handRnnBptt(params, sliceSteps(x, w.start, w.end), sliceSteps(y, w.start, w.end), entering, "tanh");
      // nothing flows back across the cut: the norms cover [start, end) and equal a run that starts there
      expectNorms(w.deltaNorms!["layers.0.h"], hand.deltas["layers.0.h"], `window [${w.start}, ${w.end})`);
      expectGradNorms(w.gradNorms, hand);
    }
  });

  it("padded rows: the delta is zero at every step past a row's end, and the steps before are those of the unpadded sequence", async () => {
    const { params, x, y, h0, data, measure } = await rnnCase();
    const r = await measure({ kind: "full" }, {}, { ...data, lengths: [4, 4] });
    const norms = r.windows[0].deltaNorms!["layers.0.h"];
    expect(norms.slice(4)).toEqual([0, 0]);
    const hand = handRnnBptt(params, sliceSteps(x, 0, 4), sliceSteps(y, 0, 4), h0, "tanh");
    expectNorms(norms.slice(0, 4), hand.deltas["layers.0.h"], "inside the sequences");
  });

  it("time checkpointing recomputes the same deltas", async () => {
    const { measure } = await rnnCase();
    const plain = await measure({ kind: "full" });
    const checkpointed = await measure({ kind: "full" }, { checkpointEvery: 4 });
    expect(checkpointed.windows[0].deltaNorms).toEqual(plain.windows[0].deltaNorms);
  });

  it("a stacked bidirectional model reports every layer's and direction's carries", async () => {
    const { program, loaded } = await loadFloat64({
      input: I,
      layers: [
        { cell: "gru", hidden: 3, bidirectional: true },
        { cell: "lstm", hidden: 2 },
      ],
      head: { units: O, activation: "linear" },
      loss: "mse",
    });
    const params = randomParams(program, 31, 0.7);
    const next = uniform(32);
    const r = await computeGradients(
      loaded,
      program,
      params,
      { sequences: { x: tensor([T, B, I], next), y: tensor([T, B, O], next) } },
      { kind: "full" },
      { deltaNorms: true },
    );
    const norms = r.windows[0].deltaNorms!;
    expect(Object.keys(norms).sort()).toEqual(Object.keys(program.states).sort());
    for (const [state, n] of Object.entries(norms)) {
      expect(n, state).toHaveLength(T);
      expect(
        n.every((v) => Number.isFinite(v) && v > 0),
        state,
      ).toBe(true);
    }
  });

  it("Trainer: each step reports the norms of its window before the update and before clipping; off by default", async () => {
    const { program, loaded, params, data, measure } = await rnnCase();
    const before = await measure({ kind: "k1k2", k1: 3, k2: 3 });
    const trainer = new Trainer(loaded, program, cloneAll(params), {
      optimizer: sgd({ lr: 0.1 }),
      truncation: { kind: "k1k2", k1: 3, k2: 3 },
      clipNorm: 1e-3,
      deltaNorms: true,
    });
    const fit = await trainer.fit(data);
    expect(fit.steps).toHaveLength(2);
    // the first window runs on the initial params; the second on updated ones, so its norms differ
    expect(fit.steps[0].deltaNorms).toEqual(before.windows[0].deltaNorms);
    expect(fit.steps[0].gradNorms).toEqual(before.windows[0].gradNorms);
    expect(fit.steps[1].deltaNorms!["layers.0.h"]).toHaveLength(3);
    expect(fit.steps[1].deltaNorms).not.toEqual(before.windows[1].deltaNorms);
    const plain = await new Trainer(loaded, program, cloneAll(params), { optimizer: sgd({ lr: 0.1 }) }).fit(data);
    expect(plain.steps[0].deltaNorms).toBeUndefined();
    expect(plain.steps[0].gradNorms).toBeUndefined();
  });

  it("off by default: no norms, and the window program keeps no deltas", async () => {
    const { program, loaded, params, x, y } = await rnnCase();
    const r = await computeGradients(loaded, program, params, { sequences: { x, y } }, { kind: "full" });
    expect(r.windows[0].deltaNorms).toBeUndefined();
    expect(r.windows[0].gradNorms).toBeUndefined();
    const compiler = new WindowCompiler(program);
    const shape = { steps: T, batch: B, dtype: "float64" as const, gradients: true, masked: false };
    expect(compiler.compile(shape).buffers.some((b) => b.role === "delta")).toBe(false);
    expect(
      compiler
        .compile({ ...shape, deltas: true })
        .buffers.filter((b) => b.role === "delta")
        .map((b) => b.id),
    ).toEqual(["delta:layers.0.h"]);
  });

  it("RTRL and SnAp-1 have no backward pass to measure: asking for delta norms is refused", async () => {
    const { program, loaded, params, x, y } = await rnnCase();
    for (const method of ["rtrl", "snap1"] as const) {
      await expect(computeGradients(loaded, program, params, { sequences: { x, y } }, { kind: "full" }, { deltaNorms: true, method })).rejects.toThrow(
        /deltaNorms measure BPTT's backward pass/,
      );
    }
  });
});
