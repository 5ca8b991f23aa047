import { describe, expect, it } from "vitest";
import { checkProgram, compileModel, type ModelSpec, type Tensor } from "@unroll/ir";
import {
  computeGradients,
  dropoutMasks,
  estimateRunMemory,
  generate,
  planWindows,
  runForward,
  sgd,
  Trainer,
  WindowCompiler,
  type SequenceData,
} from "@unroll/bptt";
import { expectAllClose, expectMatchesFiniteDifferences, loadFloat64, randomParams, tensor, uniform } from "./support/bptt-fixtures.js";

// Dropout as data: the scheduler fills each mask, so with a fixed (seed, draw)
// the loss is a deterministic function of the params and its gradient passes
// finite differences; with dropout off the model is the one without dropout.
const T = 5;
const B = 3;
const I = 3;
const H = 3;
const O = 2;

/** The same model with and without dropout (dropout adds no params). */
function specs(cell: "rnn" | "lstm" | "gru"): { plain: ModelSpec; dropped: ModelSpec } {
  const plain: ModelSpec = {
    input: I,
    layers: [
      { cell, hidden: H },
      { cell, hidden: H, bidirectional: true },
    ],
    head: { units: O, activation: "linear" },
    loss: "mse",
  };
  const dropped: ModelSpec = {
    ...plain,
    layers: [
      { cell, hidden: H, dropout: 0.3, variational: true, recurrentDropout: 0.4 },
      { cell, hidden: H, bidirectional: true, dropout: 0.5, recurrentDropout: 0.2 },
    ],
    head: { units: O, activation: "linear", dropout: 0.25 },
  };
  return { plain, dropped };
}

function dataOf(seed: number): SequenceData {
  const next = uniform(seed);
  return { sequences: { x: tensor([T, B, I], next), y: tensor([T, B, O], next) } };
}

const fraction = (t: Tensor): number => Array.from(t.data).filter((v) => v === 0).length / t.data.length;

describe("dropout through the scheduler (cpu, float64)", () => {
  for (const cell of ["rnn", "lstm", "gru"] as const) {
    it(`${cell}: dropout off equals the model without dropout; runForward is off`, async () => {
      const { plain, dropped } = specs(cell);
      const a = await loadFloat64(plain);
      const b = await loadFloat64(dropped);
      const params = randomParams(a.program, 3);
      const data = dataOf(5);
      const fa = await runForward(a.loaded, params, data, a.program);
      const fb = await runForward(b.loaded, params, data, b.program);
      expect(fb.loss).toBe(fa.loss);
      expectAllClose("outputs", { output: fb.outputs }, { output: fa.outputs }, 0, 0);
      const ga = await computeGradients(a.loaded, a.program, params, data, { kind: "full" });
      const gb = await computeGradients(b.loaded, b.program, params, data, { kind: "full" }, { dropout: "off" });
      expect(gb.loss).toBe(ga.loss);
      expectAllClose("grads", gb.grads, ga.grads, 0, 0);
      // the masks are no input the caller gave
      expect(Object.keys(gb.inputGrads).sort()).toEqual(["x", "y"]);
    });

    it(`${cell}: with a fixed draw the gradient matches finite differences, and the draw changes the loss`, async () => {
      const { dropped } = specs(cell);
      const { program, loaded } = await loadFloat64(dropped);
      const params = randomParams(program, 7);
      const data = dataOf(9);
      const dropout = { seed: 42, draw: 3 };
      const res = await computeGradients(loaded, program, params, data, { kind: "full" }, { dropout });
      const loss = async () => (await computeGradients(loaded, program, params, data, { kind: "full" }, { dropout })).loss;
      expect(await loss()).toBe(res.loss);
      for (const [name, p] of Object.entries(params)) await expectMatchesFiniteDifferences(`grads.${name}`, p, res.grads[name], loss);
      await expectMatchesFiniteDifferences("inputGrads.x", data.sequences.x, res.inputGrads.x, loss);
      const off = await computeGradients(loaded, program, params, data, { kind: "full" }, { dropout: "off" });
      const other = await computeGradients(loaded, program, params, data, { kind: "full" }, { dropout: { seed: 42, draw: 4 } });
      expect(Math.abs(res.loss - off.loss)).toBeGreaterThan(1e-3);
      expect(Math.abs(res.loss - other.loss)).toBeGreaterThan(1e-3);
    });
  }

  it("generate runs with dropout off: the same as the model without dropout", async () => {
    const { plain, dropped } = specs("lstm");
    const plainSpec: ModelSpec = { ...plain, layers: [plain.layers[0]], head: { units: I, activation: "linear" } };
    const droppedSpec: ModelSpec = { ...dropped, layers: [dropped.layers[0]], head: { units: I, activation: "linear", dropout: 0.25 } };
    const a = await loadFloat64(plainSpec);
    const b = await loadFloat64(droppedSpec);
    const params = randomParams(a.program, 4);
    const prime = tensor([3, B, I], uniform(6));
    const ga = await generate(a.loaded, a.program, params, { prime, steps: 4 });
    const gb = await generate(b.loaded, b.program, params, { prime, steps: 4 });
    expectAllClose("outputs", { o: gb.outputs }, { o: ga.outputs }, 0, 0);
  });

  it("truncated BPTT feeds each window the masks of the whole sequence: the same as the masks given as plain data", async () => {
    const spec: ModelSpec = { ...specs("gru").dropped, layers: [{ cell: "gru", hidden: H, dropout: 0.3, recurrentDropout: 0.4 }] };
    const { program, loaded } = await loadFloat64(spec);
    // the same program with its masks as ordinary data sequences
    const asData = compileModel(spec);
    for (const stage of asData.stages) delete stage.graph.dropout;
    const plain = await loadFloat64(asData);
    const params = randomParams(program, 1);
    const data = dataOf(2);
    const dropout = { seed: 1, draw: 0 };
    const masks = dropoutMasks(program, T, B, "float64", dropout);
    for (const truncation of [{ kind: "chunked", window: 2 }, { kind: "k1k2", k1: 2, k2: 3 }, { kind: "full" }] as const) {
      const got = await computeGradients(loaded, program, params, data, truncation, { dropout });
      const want = await computeGradients(plain.loaded, plain.program, params, { sequences: { ...data.sequences, ...masks } }, truncation);
      expect(got.loss).toBe(want.loss);
      expectAllClose(`${truncation.kind} grads`, got.grads, want.grads, 0, 0);
    }
  });

  it("refuses masks given in the data and a seed that is not a 32-bit whole number", async () => {
    const { program, loaded } = await loadFloat64(specs("rnn").dropped);
    const params = randomParams(program, 1);
    const data = dataOf(2);
    const mask = tensor([T, B, I], () => 1);
    await expect(computeGradients(loaded, program, params, { sequences: { ...data.sequences, "layers.0.dropout": mask } }, { kind: "full" })).rejects.toThrow(
      /the data gives "layers.0.dropout", a dropout mask, which is filled by the scheduler/,
    );
    await expect(computeGradients(loaded, program, params, data, { kind: "full" }, { dropout: { seed: -1, draw: 0 } })).rejects.toThrow(
      /dropout seed must be a whole number from 0 to 4294967295, got -1/,
    );
  });
});

describe("the memory estimate of a model with dropout", () => {
  it("counts each mask as a sequence buffer [T, B, width] read from the request", () => {
    const { plain, dropped } = specs("lstm");
    const shape = { batch: B, dtype: "float64", masked: false } as const;
    const plan = planWindows(T, { kind: "full" });
    const withMasks = estimateRunMemory(new WindowCompiler(checkProgram(compileModel(dropped))), plan, shape);
    const without = estimateRunMemory(new WindowCompiler(checkProgram(compileModel(plain))), plan, shape);
    const program = checkProgram(compileModel(dropped));
    const buffers = withMasks.windows[0].program.buffers;
    for (const [name, info] of Object.entries(program.dropout)) {
      const buffer = buffers.find((b) => "from" in b.init && b.init.from === "sequences" && b.init.name === name);
      expect(buffer?.shape, name).toEqual([T, B, info.shape[1]]);
    }
    // the masks: layers.0.dropout [B, I], layers.1.dropout [B, H] and [B, 2H] for the head, recurrent ones [B, H] × 3
    const maskBytes = T * B * (I + H + 2 * H + 3 * H) * 8;
    expect(withMasks.peak - without.peak).toBeGreaterThanOrEqual(maskBytes);
  });
});

describe("dropout in the Trainer", () => {
  it("draws the masks of pass e with draw e from dropoutSeed", async () => {
    const { program, loaded } = await loadFloat64(specs("gru").dropped);
    const data = dataOf(4);
    const lr = 0.5;
    const params = randomParams(program, 8);
    const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr }), dropoutSeed: 17 });
    for (const draw of [0, 1]) {
      const before = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, { shape: t.shape, data: t.data.slice() }]));
      await trainer.fit(data);
      // one sgd step on the whole batch: params = before - lr · grads under this pass's masks
      const { grads } = await computeGradients(loaded, program, before, data, { kind: "full" }, { dropout: { seed: 17, draw } });
      for (const [name, p] of Object.entries(params)) {
        const want = { shape: p.shape, data: before[name].data.map((v, i) => v - lr * grads[name].data[i]) };
        expectAllClose(`pass ${draw}: ${name}`, { [name]: p }, { [name]: want }, 1e-15, 1e-12);
      }
    }
  });
});

describe("dropout masks", () => {
  const program = checkProgram(
    compileModel({
      input: 40,
      layers: [{ cell: "rnn", hidden: 30, dropout: 0.3, recurrentDropout: 0.6 }],
      head: { units: 2, activation: "linear", dropout: 0.1 },
    }),
  );
  const steps = 20;
  const batch = 16;
  const draw = (seed: number, d: number, rows = batch) => dropoutMasks(program, steps, rows, "float64", { seed, draw: d });

  it("drops a fraction of elements near the rate and scales the rest by 1/(1-rate)", () => {
    const masks = draw(7, 0);
    // 12800 elements at rate 0.3: the dropped fraction has standard deviation 0.004, so ±0.02 is 5 sigma
    expect(Math.abs(fraction(masks["layers.0.dropout"]) - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(fraction(masks["head.dropout"]) - 0.1)).toBeLessThan(0.02);
    // the variational mask has 16 × 30 independent elements: σ = 0.022, ±0.1 is 4.5 sigma
    expect(Math.abs(fraction(masks["layers.0.recurrentDropout"]) - 0.6)).toBeLessThan(0.1);
    for (const [name, rate] of [
      ["layers.0.dropout", 0.3],
      ["layers.0.recurrentDropout", 0.6],
      ["head.dropout", 0.1],
    ] as const) {
      expect(new Set(masks[name].data)).toEqual(new Set([0, 1 / (1 - rate)]));
    }
  });

  it("keeps a variational mask constant over time and draws a new one per step otherwise", () => {
    const masks = draw(7, 0);
    const perStep = (t: Tensor, s: number): number[] => Array.from(t.data.subarray(s * (t.data.length / steps), (s + 1) * (t.data.length / steps)));
    const rec = masks["layers.0.recurrentDropout"];
    for (let s = 1; s < steps; s++) expect(perStep(rec, s)).toEqual(perStep(rec, 0));
    const inp = masks["layers.0.dropout"];
    expect(perStep(inp, 1)).not.toEqual(perStep(inp, 0));
  });

  it("is the same for the same seed and draw, different for another draw or seed, and does not depend on the batch size", () => {
    const a = draw(7, 0)["layers.0.dropout"];
    expect(draw(7, 0)["layers.0.dropout"].data).toEqual(a.data);
    const differing = (x: Tensor, y: Tensor): number => Array.from(x.data).filter((v, i) => v !== y.data[i]).length / x.data.length;
    // two independent masks at rate 0.3 differ in 2 · 0.3 · 0.7 = 42% of elements
    expect(Math.abs(differing(a, draw(7, 1)["layers.0.dropout"]) - 0.42)).toBeLessThan(0.03);
    expect(Math.abs(differing(a, draw(8, 0)["layers.0.dropout"]) - 0.42)).toBeLessThan(0.03);
    // rows 0..7 of a batch of 16 are the rows of a batch of 8: a backend may split the batch
    const half = draw(7, 0, 8)["layers.0.dropout"];
    for (let t = 0; t < steps; t++) {
      expect(Array.from(half.data.subarray(t * 8 * 40, (t + 1) * 8 * 40))).toEqual(Array.from(a.data.subarray(t * 16 * 40, t * 16 * 40 + 8 * 40)));
    }
  });

  it("is all ones when off", () => {
    const masks = dropoutMasks(program, steps, batch, "float32", "off");
    for (const m of Object.values(masks)) expect(m.data.every((v) => v === 1)).toBe(true);
  });
});
