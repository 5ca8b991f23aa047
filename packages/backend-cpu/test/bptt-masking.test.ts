import { describe, expect, it } from "vitest";
import { resolveShape, type CheckedProgram, type Tensor } from "@unroll/ir";
import { computeGradients, planWindows, runForward, type LoadedProgram, type SequenceData, type Truncation } from "@unroll/bptt";
import {
  classIds,
  expectClose,
  expectMatchesFiniteDifferences,
  loadFloat64,
  randomParams,
  row,
  steps,
  tensor,
  uniform,
  type Spec,
} from "./support/bptt-fixtures.js";

// Masked steps (past a row's length) add nothing to the loss or to any gradient:
// a padded batch gives exactly the gradients of its rows run alone at their own
// lengths, each weighted by its share len_b / Σ len of the counted (step, row) pairs.
const T = 5;
const I = 2;
const lengths = [5, 2, 0, 3];
const B = lengths.length;
const counted = lengths.reduce((a, b) => a + b, 0);

const cases: readonly (readonly [string, Spec])[] = [
  ["lstm, mse", { input: I, layers: [{ cell: "lstm", hidden: 3 }], head: { units: 2, activation: "linear" }, loss: "mse" }],
  [
    "stacked rnn + gru, mse",
    {
      input: I,
      layers: [
        { cell: "rnn", hidden: 2 },
        { cell: "gru", hidden: 3, resetAfter: false },
      ],
      head: { units: 2, activation: "tanh" },
      loss: "mse",
    },
  ],
  [
    "bidirectional gru, softmax, cross_entropy",
    { input: I, layers: [{ cell: "gru", hidden: 2, bidirectional: true }], head: { units: 3, activation: "softmax" }, loss: "cross_entropy" },
  ],
];

function makeData(spec: Spec, program: CheckedProgram, seed: number): SequenceData {
  const next = uniform(seed);
  const x = tensor([T, B, I], next);
  const y = spec.loss === "cross_entropy" ? classIds([T, B], spec.head!.units, seed + 1) : tensor([T, B, spec.head!.units], next);
  const initialState: Record<string, Tensor> = {};
  for (const [name, info] of Object.entries(program.states)) initialState[name] = tensor(resolveShape(info.shape, B), () => 0.5 * next());
  return { sequences: { x, y }, initialState, lengths };
}

/** Row b of the data, cut to its own length, as a batch of one. */
function rowAlone(data: SequenceData, b: number): SequenceData {
  const len = lengths[b];
  const sequences = Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, steps(row(v, b, 1), 0, len)]));
  const initialState = Object.fromEntries(Object.entries(data.initialState!).map(([k, v]) => [k, row(v, b, 0)]));
  return { sequences, initialState };
}

/** `t` scaled by `w`, copied. */
const scaled = (t: Tensor, w: number): Tensor => ({ shape: t.shape, data: t.data.map((v) => v * w) });

describe("masking with lengths", () => {
  for (const [label, spec] of cases) {
    it(`${label}: loss and gradients equal the rows run alone at their lengths, weighted`, async () => {
      const { program, loaded } = await loadFloat64(spec);
      const params = randomParams(program, 31);
      const data = makeData(spec, program, 32);
      const res = await computeGradients(loaded, program, params, data, { kind: "full" });
      expect(res.forward.lossRows).toBe(counted);

      let loss = 0;
      const grads: Record<string, Tensor> = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, scaled(p, 0)]));
      const dx = scaled(data.sequences.x, 0);
      const xWidth = I;
      for (let b = 0; b < B; b++) {
        const len = lengths[b];
        const w = len / counted;
        if (len === 0) {
          // a row with nothing to count: no gradient reaches its inputs or its initial state
          for (const [name, g] of Object.entries(res.initialStateGrads))
            expectClose(`initialStateGrads.${name} row ${b}`, row(g, b, 0), scaled(row(g, b, 0), 0), 0, 0);
          continue;
        }
        const alone = rowAlone(data, b);
        const r = await computeGradients(loaded, program, params, alone, { kind: "full" });
        loss += w * r.loss;
        for (const [name, g] of Object.entries(r.grads)) grads[name].data.forEach((_, i, a) => (a[i] += w * g.data[i]));
        for (let t = 0; t < len; t++) for (let j = 0; j < xWidth; j++) dx.data[(t * B + b) * xWidth + j] = w * r.inputGrads.x.data[t * xWidth + j];
        for (const [name, g] of Object.entries(r.initialStateGrads)) {
          expectClose(`initialStateGrads.${name} row ${b}`, row(res.initialStateGrads[name], b, 0), scaled(g, w), 1e-15, 1e-12);
        }
        // the carried state stops at the row's length; outputs past it are zero
        const fwd = await runForward(loaded, params, alone, program);
        for (const [name, s] of Object.entries(fwd.finalState))
          expectClose(`finalState.${name} row ${b}`, row(res.forward.finalState[name], b, 0), s, 1e-15, 1e-12);
        const out = row(res.forward.outputs, b, 1);
        expectClose(`outputs row ${b}`, steps(out, 0, len), fwd.outputs, 1e-15, 1e-12);
        expect(Array.from(steps(out, len, T).data).every((v) => v === 0)).toBe(true);
      }
      expect(res.loss).toBeCloseTo(loss, 14);
      for (const name of Object.keys(params)) expectClose(`grads.${name}`, res.grads[name], grads[name], 1e-15, 1e-12);
      expectClose("inputGrads.x", res.inputGrads.x, dx, 1e-15, 1e-12);
    });
  }

  it("masked x steps get exactly zero input gradient and changing them changes nothing (full and chunked)", async () => {
    const [, spec] = cases[0];
    const { program, loaded } = await loadFloat64(spec);
    const params = randomParams(program, 41);
    const data = makeData(spec, program, 42);
    for (const tr of [{ kind: "full" }, { kind: "chunked", window: 2 }, { kind: "k1k2", k1: 2, k2: 3 }] as const) {
      const before = await computeGradients(loaded, program, params, data, tr);
      for (let b = 0; b < B; b++)
        for (let t = lengths[b]; t < T; t++)
          for (let j = 0; j < I; j++) {
            expect(before.inputGrads.x.data[(t * B + b) * I + j]).toBe(0);
          }
      // overwrite the padding with garbage: loss and gradients stay the same
      const x = data.sequences.x;
      const saved = x.data.slice();
      const ys = data.sequences.y.data.slice();
      for (let b = 0; b < B; b++)
        for (let t = lengths[b]; t < T; t++) {
          for (let j = 0; j < I; j++) x.data[(t * B + b) * I + j] = 1e3;
          for (let j = 0; j < 2; j++) data.sequences.y.data[(t * B + b) * 2 + j] = -1e3;
        }
      const after = await computeGradients(loaded, program, params, data, tr);
      x.data.set(saved);
      data.sequences.y.data.set(ys);
      expect(after.loss).toBe(before.loss);
      for (const name of Object.keys(params)) expectClose(`${tr.kind} grads.${name}`, after.grads[name], before.grads[name], 0, 0);
    }
  });

  it("chunked with lengths matches finite differences of the per-window masked mean", async () => {
    const [, spec] = cases[0];
    const { program, loaded } = await loadFloat64(spec);
    const params = randomParams(program, 51);
    const data = makeData(spec, program, 52);
    const tr: Truncation = { kind: "chunked", window: 2 };
    const res = await computeGradients(loaded, program, params, data, tr);
    const plan = planWindows(T, tr);
    const objective = maskedWindowObjective(loaded, program, params, data, plan.windows, await entering(loaded, program, params, data));
    // the gradients are those of the sum of the window means; the loss reported is the mean over every counted (step, row)
    expect(res.windows.reduce((a, w) => a + w.loss, 0)).toBeCloseTo(await objective(), 14);
    const full = await computeGradients(loaded, program, params, data, { kind: "full" });
    expect(res.lossRows).toBe(lengths.reduce((a, n) => a + n, 0));
    expect(res.loss).toBeCloseTo(full.loss, 14);
    // the last window [4, 5) is a short chunk; its loss step 4 counts for row 0 only
    expect(res.windows.map((w) => [w.start, w.end])).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
    ]);
    for (const [name, p] of Object.entries(params)) await expectMatchesFiniteDifferences(`grads.${name}`, p, res.grads[name], objective);
    await expectMatchesFiniteDifferences("inputGrads.x", data.sequences.x, res.inputGrads.x, objective);
  });
});

/** State after step t-1 of the uninterrupted masked forward pass. */
async function entering(
  loaded: LoadedProgram,
  program: CheckedProgram,
  params: Record<string, Tensor>,
  data: SequenceData,
): Promise<Map<number, Record<string, Tensor>>> {
  const fwd = await runForward(loaded, params, data, program);
  const out = new Map<number, Record<string, Tensor>>();
  for (let t = 1; t < T; t++) {
    out.set(
      t,
      Object.fromEntries(
        Object.keys(program.states).map((n) => {
          const v = steps(fwd.states[n], t - 1, t);
          return [n, { shape: v.shape.slice(1), data: v.data }];
        }),
      ),
    );
  }
  return out;
}

/** Σ over windows of (Σ of mse over counted (t, b) in its loss steps) / (their number), entering states held. */
function maskedWindowObjective(
  loaded: LoadedProgram,
  program: CheckedProgram,
  params: Record<string, Tensor>,
  data: SequenceData,
  windows: readonly { start: number; end: number; lossStart: number }[],
  held: Map<number, Record<string, Tensor>>,
) {
  const O = 2;
  return async (): Promise<number> => {
    let total = 0;
    for (const w of windows) {
      const x = steps(data.sequences.x, w.start, w.end);
      const y = steps(data.sequences.y, w.start, w.end);
      const r = await runForward(loaded, params, { sequences: { x, y }, initialState: w.start === 0 ? data.initialState : held.get(w.start) }, program);
      let sum = 0;
      let n = 0;
      for (let t = w.lossStart; t < w.end; t++)
        for (let b = 0; b < B; b++) {
          if (t >= lengths[b]) continue;
          n++;
          for (let o = 0; o < O; o++) {
            const i = ((t - w.start) * B + b) * O + o;
            sum += (r.outputs.data[i] - y.data[i]) ** 2 / O;
          }
        }
      total += n > 0 ? sum / n : 0;
    }
    return total;
  };
}
