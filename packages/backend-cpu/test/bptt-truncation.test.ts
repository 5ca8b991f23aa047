import { describe, expect, it } from "vitest";
import { resolveShape, type CheckedProgram, type Tensor } from "@unroll/ir";
import {
  computeGradients,
  formatPlan,
  planWindows,
  runForward,
  sgd,
  Trainer,
  type LoadedProgram,
  type Plan,
  type SequenceData,
  type Truncation,
} from "@unroll/bptt";
import {
  cloneAll,
  expectAllClose,
  expectClose,
  expectMatchesFiniteDifferences,
  loadFloat64,
  randomParams,
  steps,
  tensor,
  uniform,
  type Spec,
} from "./support/bptt-fixtures.js";

const B = 2;
const I = 2;
const O = 2;
const lstmSpec: Spec = { input: I, layers: [{ cell: "lstm", hidden: 3 }], head: { units: O, activation: "linear" }, loss: "mse" };
const rnnSpec: Spec = { input: I, layers: [{ cell: "rnn", hidden: 3 }], head: { units: O, activation: "linear" }, loss: "mse" };

function makeData(program: CheckedProgram, T: number, seed: number): SequenceData {
  const next = uniform(seed);
  const initialState: Record<string, Tensor> = {};
  for (const [name, info] of Object.entries(program.states)) initialState[name] = tensor(resolveShape(info.shape, B), () => 0.5 * next());
  return { sequences: { x: tensor([T, B, I], next), y: tensor([T, B, O], next) }, initialState };
}

/** The state after step t-1 of one uninterrupted forward pass, per state name, copied. */
async function statesEntering(
  loaded: LoadedProgram,
  program: CheckedProgram,
  params: Record<string, Tensor>,
  data: SequenceData,
): Promise<Map<number, Record<string, Tensor>>> {
  const fwd = await runForward(loaded, params, data, program);
  const out = new Map<number, Record<string, Tensor>>();
  const T = data.sequences.x.shape[0];
  for (let t = 1; t < T; t++) {
    const s: Record<string, Tensor> = {};
    for (const name of Object.keys(program.states)) {
      const v = steps(fwd.states[name], t - 1, t);
      s[name] = { shape: v.shape.slice(1), data: v.data };
    }
    out.set(t, s);
  }
  return out;
}

/**
 * The objective BPTT(k1, k2) differentiates, written from its definition: for
 * each window, the mse over its loss steps (mean over their elements), the
 * state entering its span held constant at its value from the base forward pass
 * (or the initial state for spans starting at 0); summed over windows. `mean`
 * is the loss reported: the squared errors of every window's loss steps over their count.
 */
function truncatedObjective(
  loaded: LoadedProgram,
  program: CheckedProgram,
  params: Record<string, Tensor>,
  data: SequenceData,
  plan: Plan,
  entering: Map<number, Record<string, Tensor>>,
) {
  return async (): Promise<{ total: number; windows: number[]; mean: number }> => {
    const windows: number[] = [];
    let squares = 0;
    let count = 0;
    for (const w of plan.windows) {
      const x = steps(data.sequences.x, w.start, w.end);
      const y = steps(data.sequences.y, w.start, w.end);
      const r = await runForward(loaded, params, { sequences: { x, y }, initialState: w.start === 0 ? data.initialState : entering.get(w.start) }, program);
      let sum = 0;
      const from = (w.lossStart - w.start) * B * O;
      for (let i = from; i < y.data.length; i++) sum += (r.outputs.data[i] - y.data[i]) ** 2;
      windows.push(sum / (y.data.length - from));
      squares += sum;
      count += y.data.length - from;
    }
    return { total: windows.reduce((a, b) => a + b, 0), windows, mean: squares / count };
  };
}

describe("planWindows", () => {
  const plan = (T: number, tr: Truncation) => planWindows(T, tr).windows.map((w) => [w.start, w.end, w.lossStart]);

  it("writes out full, chunked and BPTT(k1, k2) plans as [start, end, lossStart]", () => {
    expect(plan(5, { kind: "full" })).toEqual([[0, 5, 0]]);
    expect(plan(6, { kind: "chunked", window: 2 })).toEqual([
      [0, 2, 0],
      [2, 4, 2],
      [4, 6, 4],
    ]);
    // T not a multiple of K: the final window is cut short at T with the same rules (its
    // span starts where a full window's would), so it is a short chunk of its own
    expect(plan(7, { kind: "chunked", window: 3 })).toEqual([
      [0, 3, 0],
      [3, 6, 3],
      [6, 7, 6],
    ]);
    expect(plan(5, { kind: "chunked", window: 2 })).toEqual([
      [0, 2, 0],
      [2, 4, 2],
      [4, 5, 4],
    ]);
    expect(plan(4, { kind: "chunked", window: 4 })).toEqual([[0, 4, 0]]);
    expect(plan(4, { kind: "chunked", window: 9 })).toEqual([[0, 4, 0]]);
    expect(plan(3, { kind: "k1k2", k1: 1, k2: 1 })).toEqual([
      [0, 1, 0],
      [1, 2, 1],
      [2, 3, 2],
    ]);
    // spans of min(k2, steps so far); the short final window keeps a full window's span start
    expect(plan(6, { kind: "k1k2", k1: 2, k2: 4 })).toEqual([
      [0, 2, 0],
      [0, 4, 2],
      [2, 6, 4],
    ]);
    expect(plan(7, { kind: "k1k2", k1: 3, k2: 5 })).toEqual([
      [0, 3, 0],
      [1, 6, 3],
      [4, 7, 6],
    ]);
    expect(plan(5, { kind: "k1k2", k1: 1, k2: 3 })).toEqual([
      [0, 1, 0],
      [0, 2, 1],
      [0, 3, 2],
      [1, 4, 3],
      [2, 5, 4],
    ]);
    expect(plan(5, { kind: "k1k2", k1: 2, k2: 100 })).toEqual([
      [0, 2, 0],
      [0, 4, 2],
      [0, 5, 4],
    ]);
    expect(formatPlan(planWindows(6, { kind: "k1k2", k1: 2, k2: 4 }))).toBe(
      "window 0: span [0, 2) loss [0, 2)\nwindow 1: span [0, 4) loss [2, 4)\nwindow 2: span [2, 6) loss [4, 6)",
    );
  });

  it("chunked K is BPTT(K, K), and rejects bad sizes", () => {
    for (const [T, K] of [
      [7, 3],
      [6, 2],
      [5, 5],
      [4, 1],
    ]) {
      expect(planWindows(T, { kind: "chunked", window: K }).windows).toEqual(planWindows(T, { kind: "k1k2", k1: K, k2: K }).windows);
    }
    expect(() => planWindows(6, { kind: "k1k2", k1: 3, k2: 2 })).toThrow(/k2 must be at least k1/);
    expect(() => planWindows(6, { kind: "chunked", window: 0 })).toThrow(/positive integer/);
    expect(() => planWindows(0, { kind: "full" })).toThrow(/at least one step/);
  });
});

describe("truncated BPTT gradients", () => {
  it("chunked K equals BPTT(K, K): loss, grads, input and initial-state grads, windows", async () => {
    const { program, loaded } = await loadFloat64(lstmSpec);
    const params = randomParams(program, 1);
    const data = makeData(program, 7, 2);
    const a = await computeGradients(loaded, program, params, data, { kind: "chunked", window: 3 });
    const b = await computeGradients(loaded, program, params, data, { kind: "k1k2", k1: 3, k2: 3 });
    expect(a.loss).toBe(b.loss);
    expectAllClose("grads", a.grads, b.grads, 0, 0);
    expectAllClose("inputGrads", a.inputGrads, b.inputGrads, 0, 0);
    expectAllClose("initialStateGrads", a.initialStateGrads, b.initialStateGrads, 0, 0);
    expect(a.windows.length).toBe(3);
    expect(a.windows.map(({ start, end, lossStart, loss }) => ({ start, end, lossStart, loss }))).toEqual(
      b.windows.map(({ start, end, lossStart, loss }) => ({ start, end, lossStart, loss })),
    );
    a.windows.forEach((w, i) => expectAllClose(`windows[${i}].grads`, w.grads, b.windows[i].grads, 0, 0));
  });

  it("chunked K >= T and BPTT(k1 >= T, k2) equal full BPTT", async () => {
    const { program, loaded } = await loadFloat64(lstmSpec);
    const params = randomParams(program, 3);
    const data = makeData(program, 5, 4);
    const full = await computeGradients(loaded, program, params, data, { kind: "full" });
    for (const tr of [
      { kind: "chunked", window: 5 },
      { kind: "chunked", window: 8 },
      { kind: "k1k2", k1: 5, k2: 7 },
    ] as const) {
      const r = await computeGradients(loaded, program, params, data, tr);
      expect(r.windows.length).toBe(1);
      expect(r.loss).toBeCloseTo(full.loss, 14);
      expectAllClose(`${tr.kind} grads`, r.grads, full.grads, 1e-14, 1e-12);
      expectAllClose(`${tr.kind} inputGrads`, r.inputGrads, full.inputGrads, 1e-14, 1e-12);
      expectAllClose(`${tr.kind} initialStateGrads`, r.initialStateGrads, full.initialStateGrads, 1e-14, 1e-12);
    }
  });

  const truncations: readonly (readonly [string, Spec, number, Truncation])[] = [
    ["BPTT(2, 4), T = 6, lstm", lstmSpec, 6, { kind: "k1k2", k1: 2, k2: 4 }],
    ["BPTT(3, 5), T = 7 (not a multiple), lstm", lstmSpec, 7, { kind: "k1k2", k1: 3, k2: 5 }],
    ["BPTT(1, 3), T = 5, rnn", rnnSpec, 5, { kind: "k1k2", k1: 1, k2: 3 }],
    ["chunked 3, T = 7 (not a multiple), rnn", rnnSpec, 7, { kind: "chunked", window: 3 }],
  ];
  for (const [label, spec, T, truncation] of truncations) {
    it(`${label}: loss and gradients match finite differences of the defined objective`, async () => {
      const { program, loaded } = await loadFloat64(spec);
      const params = randomParams(program, 5);
      const data = makeData(program, T, 6);
      const res = await computeGradients(loaded, program, params, data, truncation);
      const plan = planWindows(T, truncation);
      expect(res.plan.windows).toEqual(plan.windows);
      const entering = await statesEntering(loaded, program, params, data);
      const objective = truncatedObjective(loaded, program, params, data, plan, entering);
      const base = await objective();
      expect(res.windows.map((w) => w.loss).length).toBe(plan.windows.length);
      res.windows.forEach((w, i) => expect(w.loss).toBeCloseTo(base.windows[i], 14));
      expect(res.loss).toBeCloseTo(base.mean, 14);
      expect(res.windows.reduce((a, w) => a + w.loss, 0)).toBeCloseTo(base.total, 14);
      const loss = async () => (await objective()).total;
      for (const [name, p] of Object.entries(params)) await expectMatchesFiniteDifferences(`grads.${name}`, p, res.grads[name], loss);
      await expectMatchesFiniteDifferences("inputGrads.x", data.sequences.x, res.inputGrads.x, loss);
      for (const [name, s] of Object.entries(data.initialState!)) {
        await expectMatchesFiniteDifferences(`initialStateGrads.${name}`, s, res.initialStateGrads[name], loss);
      }
    });
  }

  it("a truncated gradient differs from the full one (the cut is real)", async () => {
    const { program, loaded } = await loadFloat64(rnnSpec);
    const params = randomParams(program, 9);
    const data = makeData(program, 6, 10);
    const full = await computeGradients(loaded, program, params, data, { kind: "full" });
    const cut = await computeGradients(loaded, program, params, data, { kind: "chunked", window: 2 });
    const diff = Array.from(full.grads["layers.0.W_re"].data).reduce((a, v, i) => a + Math.abs(v - cut.grads["layers.0.W_re"].data[i]), 0);
    expect(diff).toBeGreaterThan(1e-6);
    // the loss is the mean over all steps whatever the cut: the windows see the same forward pass
    expect(cut.loss).toBeCloseTo(full.loss, 14);
    expect(cut.windows.reduce((a, w) => a + w.loss, 0)).toBeGreaterThan(2 * full.loss);
  });

  it("time checkpointing does not change truncated gradients", async () => {
    const { program, loaded } = await loadFloat64(lstmSpec);
    const params = randomParams(program, 11);
    const data = makeData(program, 7, 12);
    const tr: Truncation = { kind: "k1k2", k1: 2, k2: 5 };
    const plain = await computeGradients(loaded, program, params, data, tr);
    const ckpt = await computeGradients(loaded, program, params, data, tr, { checkpointEvery: 2 });
    expectAllClose("grads", ckpt.grads, plain.grads, 1e-15, 1e-13);
    expectAllClose("inputGrads", ckpt.inputGrads, plain.inputGrads, 1e-15, 1e-13);
  });

  it("a bidirectional model refuses truncation", async () => {
    const { program, loaded } = await loadFloat64({ input: I, layers: [{ cell: "gru", hidden: 2, bidirectional: true }], loss: "mse" });
    const data = { sequences: { x: tensor([4, B, I], uniform(1)), y: tensor([4, B, 4], uniform(2)) } };
    await expect(computeGradients(loaded, program, randomParams(program, 1), data, { kind: "chunked", window: 2 })).rejects.toThrow(/causal/);
  });
});

describe("Trainer under BPTT(k1, k2)", () => {
  it("updates after steps k1, 2·k1, …, T with each window's loss (lr = 0 keeps params fixed)", async () => {
    const { program, loaded } = await loadFloat64(lstmSpec);
    const params = randomParams(program, 13);
    const data = makeData(program, 7, 14);
    const tr: Truncation = { kind: "k1k2", k1: 3, k2: 5 };
    const expected = await computeGradients(loaded, program, params, data, tr);
    const before = cloneAll(params);
    const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr: 0 }), truncation: tr });
    const fit = await trainer.fit(data);
    expect(fit.steps.map((s) => s.window.end)).toEqual([3, 6, 7]);
    expect(fit.steps.map((s) => s.step)).toEqual([1, 2, 3]);
    fit.steps.forEach((s, i) => expect(s.loss).toBeCloseTo(expected.windows[i].loss, 14));
    fit.steps.forEach((s, i) => {
      const g = Object.values(expected.windows[i].grads).flatMap((t) => Array.from(t.data));
      expect(s.gradNorm).toBeCloseTo(Math.hypot(...g), 12);
    });
    // the mean over counted steps: windows of 3, 3 and 1 loss steps weigh 3, 3 and 1, as one forward pass does
    expect(fit.loss).toBeCloseTo(expected.loss, 14);
    expect(fit.loss).not.toBeCloseTo(expected.windows.reduce((a, w) => a + w.loss, 0) / 3, 6);
    expectAllClose("params", params, before, 0, 0);
    expect(trainer.steps).toBe(3);
  });

  it("one SGD step per window moves the params by -lr times that window's gradient (first window)", async () => {
    const { program, loaded } = await loadFloat64(rnnSpec);
    const params = randomParams(program, 15);
    const data = makeData(program, 6, 16);
    const tr: Truncation = { kind: "chunked", window: 3 };
    const expected = await computeGradients(loaded, program, params, data, tr);
    const before = cloneAll(params);
    const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr: 0.1 }), truncation: tr });
    let seen = 0;
    await trainer.fit(data, () => {
      if (seen++ > 0) return;
      for (const [name, p] of Object.entries(params)) {
        const want: Tensor = { shape: p.shape, data: before[name].data.map((v, i) => v - 0.1 * expected.windows[0].grads[name].data[i]) };
        expectClose(`params.${name} after update 1`, p, want, 1e-15, 1e-13);
      }
    });
    expect(seen).toBe(2);
  });
});
