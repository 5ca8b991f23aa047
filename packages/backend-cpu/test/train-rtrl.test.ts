import { describe, expect, it } from "vitest";
import type { Tensor } from "@unroll/ir";
import { sgd, Trainer, type SequenceData } from "@unroll/bptt";
import { cloneAll, expectAllClose, loadFloat64, randomParams, steps, tensor, uniform, type Spec } from "./support/bptt-fixtures.js";

const T = 6;
const B = 2;
const I = 2;
const H = 3;
const O = 2;
const LR = 0.3;
const spec: Spec = { input: I, layers: [{ cell: "rnn", hidden: H }], head: { units: O, activation: "linear" }, loss: "mse" };

function data(seed: number): SequenceData {
  const next = uniform(seed);
  return { sequences: { x: tensor([T, B, I], next), y: tensor([T, B, O], next) } };
}

/**
 * Online RTRL by hand with plain loops, from the seed's equations: per row,
 * `M_t = f'(u_t) ⊙ (M_{t-1}·W_re + M̄_t)` for each of W_in, W_re and b, the
 * gradient `Σ_j ∂L_t/∂h_t[j] · M_t[j]`, and an SGD step after every step.
 */
function onlineRtrlByHand(p: Record<string, Tensor>, d: SequenceData): Record<string, Tensor> {
  const w = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Float64Array.from(v.data)]));
  const [Win, Wre, bias, Wout, bout] = ["layers.0.W_in", "layers.0.W_re", "layers.0.b", "head.W", "head.b"].map((k) => w[k]);
  const x = d.sequences.x.data;
  const y = d.sequences.y.data;
  // sensitivities per row: M[b][j][q] = ∂h[b][j]/∂θ_q over θ = (W_in, W_re, b) flattened
  const P = I * H + H * H + H;
  let h = Array.from({ length: B }, () => new Float64Array(H));
  let M = Array.from({ length: B }, () => Array.from({ length: H }, () => new Float64Array(P)));
  for (let t = 0; t < T; t++) {
    const g = new Float64Array(P);
    const gOut = new Float64Array(H * O);
    const gbOut = new Float64Array(O);
    const hNext = h.map(() => new Float64Array(H));
    const MNext = M.map(() => Array.from({ length: H }, () => new Float64Array(P)));
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        let u = bias[j];
        for (let i = 0; i < I; i++) u += x[(t * B + b) * I + i] * Win[i * H + j];
        for (let l = 0; l < H; l++) u += h[b][l] * Wre[l * H + j];
        hNext[b][j] = Math.tanh(u);
        const df = 1 - hNext[b][j] ** 2;
        const m = MNext[b][j];
        // J·M: the previous sensitivities through W_re
        for (let l = 0; l < H; l++) for (let q = 0; q < P; q++) m[q] += Wre[l * H + j] * M[b][l][q];
        // M̄: the immediate term, only in unit j's own column of each weight
        for (let i = 0; i < I; i++) m[i * H + j] += x[(t * B + b) * I + i];
        for (let l = 0; l < H; l++) m[I * H + l * H + j] += h[b][l];
        m[I * H + H * H + j] += 1;
        for (let q = 0; q < P; q++) m[q] *= df;
      }
      // the loss of this step, mean over rows and outputs: ∂L/∂v = 2(v − y)/(B·O)
      for (let o = 0; o < O; o++) {
        let v = bout[o];
        for (let j = 0; j < H; j++) v += hNext[b][j] * Wout[j * O + o];
        const dv = (2 * (v - y[(t * B + b) * O + o])) / (B * O);
        gbOut[o] += dv;
        for (let j = 0; j < H; j++) {
          gOut[j * O + o] += hNext[b][j] * dv;
          const dh = Wout[j * O + o] * dv;
          for (let q = 0; q < P; q++) g[q] += dh * MNext[b][j][q];
        }
      }
    }
    // one SGD step, then the state and the sensitivities carry on
    for (let q = 0; q < I * H; q++) Win[q] -= LR * g[q];
    for (let q = 0; q < H * H; q++) Wre[q] -= LR * g[I * H + q];
    for (let q = 0; q < H; q++) bias[q] -= LR * g[I * H + H * H + q];
    for (let q = 0; q < H * O; q++) Wout[q] -= LR * gOut[q];
    for (let q = 0; q < O; q++) bout[q] -= LR * gbOut[q];
    h = hNext;
    M = MNext;
  }
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, { shape: v.shape, data: w[k] }]));
}

describe("Trainer with RTRL", () => {
  it("online (an update every step) matches online RTRL by hand, float64", async () => {
    const { program, loaded } = await loadFloat64(spec);
    const p0 = randomParams(program, 3);
    const d = data(4);
    const trainer = new Trainer(loaded, program, cloneAll(p0), { optimizer: sgd({ lr: LR }), method: "rtrl", updateEvery: 1 });
    const fit = await trainer.fit(d);
    expect(fit.steps).toHaveLength(T);
    expect(fit.steps.map((s) => s.window.start)).toEqual([0, 1, 2, 3, 4, 5]);
    expectAllClose("params", trainer.params, onlineRtrlByHand(p0, d), 1e-13, 1e-10);
    // and online updates are not the full-sequence update: the check can tell them apart
    const once = new Trainer(loaded, program, cloneAll(p0), { optimizer: sgd({ lr: LR }), method: "rtrl" });
    await once.fit(d);
    expect(Math.abs(once.params["layers.0.W_re"].data[0] - trainer.params["layers.0.W_re"].data[0])).toBeGreaterThan(1e-4);
  });

  it("one update per pass equals full BPTT's update", async () => {
    const { program, loaded } = await loadFloat64({ ...spec, layers: [{ cell: "lstm", hidden: H }] });
    const p0 = randomParams(program, 5);
    const d = data(6);
    const rtrl = new Trainer(loaded, program, cloneAll(p0), { optimizer: sgd({ lr: LR }), method: "rtrl" });
    const bptt = new Trainer(loaded, program, cloneAll(p0), { optimizer: sgd({ lr: LR }) });
    const [a, b] = [await rtrl.fit(d), await bptt.fit(d)];
    expect(a.loss).toBeCloseTo(b.loss, 12);
    expectAllClose("params", rtrl.params, bptt.params, 1e-13, 1e-10);
  });

  it("a stream of chunks trains as the whole sequence does, carrying state and sensitivities; resetState forgets them", async () => {
    const { program, loaded } = await loadFloat64(spec);
    const p0 = randomParams(program, 7);
    const d = data(8);
    const whole = new Trainer(loaded, program, cloneAll(p0), { optimizer: sgd({ lr: LR }), method: "rtrl", updateEvery: 2 });
    await whole.fit(d);
    async function* chunks(): AsyncIterable<SequenceData> {
      for (const [from, to] of [
        [0, 2],
        [2, 6],
      ]) {
        yield { sequences: Object.fromEntries(Object.entries(d.sequences).map(([k, v]) => [k, steps(v, from, to)])) };
      }
    }
    const streamed = new Trainer(loaded, program, cloneAll(p0), { optimizer: sgd({ lr: LR }), method: "rtrl", updateEvery: 2, stateful: true });
    const r = await streamed.fitStream(chunks());
    expect(r.steps.map((s) => [s.window.start, s.window.end])).toEqual([
      [0, 2],
      [2, 4],
      [4, 6],
    ]);
    expectAllClose("params", streamed.params, whole.params, 0, 0);
    expect(streamed.carriedState()[0]).toBeDefined();
    streamed.resetState();
    expect(streamed.carriedState()).toEqual([]);
  });

  it("refuses truncation, checkpointing and a bidirectional model", async () => {
    const { program, loaded } = await loadFloat64(spec);
    const p = randomParams(program, 1);
    const truncated = new Trainer(loaded, program, p, { optimizer: sgd({ lr: LR }), method: "rtrl", truncation: { kind: "chunked", window: 2 } });
    await expect(truncated.fit(data(1))).rejects.toThrow(/RTRL does not truncate: to update during a sequence, use updateEvery/);
    const checkpointed = new Trainer(loaded, program, p, { optimizer: sgd({ lr: LR }), method: "rtrl", checkpointEvery: 2 });
    await expect(checkpointed.fit(data(1))).rejects.toThrow(/checkpointEvery does not apply to RTRL/);
    const bi = await loadFloat64({ ...spec, layers: [{ cell: "gru", hidden: H, bidirectional: true }] });
    const t = new Trainer(bi.loaded, bi.program, randomParams(bi.program, 1), { optimizer: sgd({ lr: LR }), method: "rtrl" });
    await expect(t.fit(data(1))).rejects.toThrow(/RTRL needs a causal model/);
  });
});
