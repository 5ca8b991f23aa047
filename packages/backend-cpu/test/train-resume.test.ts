import { describe, expect, it } from "vitest";
import { loadProgram, type Dtype, type Tensor } from "@unroll/ir";
import { adam, rmsprop, sgd, Trainer, type Optimizer, type SequenceData, type TrainerOptions, type TrainerState } from "@unroll/bptt";
import { createCpuBackend } from "../src/index.js";
import { randomParams, tensor, uniform, type Spec } from "./support/bptt-fixtures.js";

// Resumable training: a run stopped after any step, its state sent through
// JSON and restored into a fresh Trainer, ends with exactly the parameters
// (bit for bit) of the run that was never stopped.
const T = 6;
const B = 3;
const I = 2;
const O = 2;
const spec: Spec = { input: I, layers: [{ cell: "lstm", hidden: 3 }], head: { units: O, activation: "linear" }, loss: "mse" };
const rnnSpec: Spec = { input: I, layers: [{ cell: "rnn", hidden: 3 }], head: { units: O, activation: "linear" }, loss: "mse" };

/** One way of training: the model, the precision, the trainer's options (with a fresh optimizer each time) and the number of passes. */
interface Case {
  readonly spec: Spec;
  readonly dtype: Dtype;
  readonly epochs: number;
  readonly optimizer: () => Optimizer;
  readonly options: Omit<TrainerOptions, "optimizer">;
}

const cases: Record<string, Case> = {
  "full BPTT, sgd, float64": { spec, dtype: "float64", epochs: 3, optimizer: () => sgd({ lr: 0.1 }), options: {} },
  "truncated BPTT(2, 2), momentum, minibatches": {
    spec,
    dtype: "float64",
    epochs: 2,
    optimizer: () => sgd({ lr: 0.1, momentum: 0.9 }),
    options: { truncation: { kind: "chunked", window: 2 }, batchSize: 2 },
  },
  "BPTT(1, 3) overlapping, adam, stateful minibatches": {
    spec,
    dtype: "float64",
    epochs: 2,
    optimizer: () => adam({ lr: 0.01 }),
    options: { truncation: { kind: "k1k2", k1: 1, k2: 3 }, batchSize: 2, stateful: true },
  },
  "BPTT(2, 3) overlapping, rmsprop, clipping, float32": {
    spec,
    dtype: "float32",
    epochs: 2,
    optimizer: () => rmsprop({ lr: 0.01, weightDecay: 0.01 }),
    options: { truncation: { kind: "k1k2", k1: 2, k2: 3 }, clipNorm: 0.05, clipValue: 0.5 },
  },
  "truncated BPTT(3, 3), adam, stateful, float32": {
    spec,
    dtype: "float32",
    epochs: 3,
    optimizer: () => adam({ lr: 0.01, weightDecay: 0.001 }),
    options: { truncation: { kind: "chunked", window: 3 }, stateful: true, batchSize: 1 },
  },
  "RTRL updating every 2 steps, stateful minibatches, momentum": {
    spec: rnnSpec,
    dtype: "float64",
    epochs: 2,
    optimizer: () => sgd({ lr: 0.1, momentum: 0.5 }),
    options: { method: "rtrl", updateEvery: 2, batchSize: 2, stateful: true },
  },
  "SnAp-1 fully online, adam, float32": {
    spec: rnnSpec,
    dtype: "float32",
    epochs: 2,
    optimizer: () => adam({ lr: 0.01 }),
    options: { method: "snap1", updateEvery: 1 },
  },
  "dropout (variational, recurrent, head), truncated BPTT(2, 2), minibatches": {
    spec: {
      ...spec,
      layers: [{ cell: "lstm", hidden: 3, dropout: 0.3, variational: true, recurrentDropout: 0.3 }],
      head: { units: O, activation: "linear", dropout: 0.2 },
    },
    dtype: "float64",
    epochs: 2,
    optimizer: () => sgd({ lr: 0.1 }),
    options: { truncation: { kind: "chunked", window: 2 }, batchSize: 2, dropoutSeed: 9 },
  },
  "dropout, RTRL updating every 2 steps, minibatches": {
    spec: { ...rnnSpec, layers: [{ cell: "rnn", hidden: 3, dropout: 0.3, recurrentDropout: 0.3 }] },
    dtype: "float64",
    epochs: 2,
    optimizer: () => sgd({ lr: 0.1 }),
    options: { method: "rtrl", updateEvery: 2, batchSize: 2 },
  },
};

/** Thrown from `onStep` to stop a run, as a kill would. */
class Stop extends Error {}

async function setup(c: Case) {
  const program = loadProgram(c.spec);
  const loaded = await createCpuBackend().load(program, { dtype: c.dtype });
  const cast = (t: Tensor): Tensor => ({ shape: t.shape, data: c.dtype === "float64" ? t.data : Float32Array.from(t.data) });
  const next = uniform(11);
  const data: SequenceData = { sequences: { x: cast(tensor([T, B, I], next)), y: cast(tensor([T, B, O], next)) } };
  const params = (seed: number) => Object.fromEntries(Object.entries(randomParams(program, seed)).map(([k, t]) => [k, cast(t)]));
  const trainer = (p: Record<string, Tensor>) => new Trainer(loaded, program, p, { ...c.options, optimizer: c.optimizer() });
  return { data, params, trainer };
}

describe("resuming training from a TrainerState", () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`stopped after every step and resumed, ends bit-identical (${name})`, async () => {
      const { data, params, trainer } = await setup(c);
      const whole = trainer(params(1));
      const losses: number[] = [];
      for (let e = 0; e < c.epochs; e++) losses.push((await whole.fit(data)).loss);
      const total = whole.steps;
      expect(total).toBeGreaterThanOrEqual(c.epochs);
      for (let stopAt = 0; stopAt <= total; stopAt++) {
        // the first run stops (throws) right after step stopAt, as a kill after its snapshot
        const first = trainer(params(1));
        let saved: TrainerState | undefined = stopAt === 0 ? first.state() : undefined;
        try {
          for (let e = 0; e < c.epochs && !saved; e++) {
            await first.fit(data, (s) => {
              if (s.step !== stopAt) return;
              saved = first.state();
              throw new Stop();
            });
          }
        } catch (e) {
          if (!(e instanceof Stop)) throw e;
        }
        const state = JSON.parse(JSON.stringify(saved)) as TrainerState;
        expect(state.steps).toBe(stopAt);
        // other starting weights, which the restore must overwrite
        const resumed = trainer(params(2));
        resumed.restore(state);
        let lastLoss = NaN;
        while (resumed.epochs < c.epochs) lastLoss = (await resumed.fit(data)).loss;
        expect(resumed.steps).toBe(total);
        expect(resumed.params, `stopped after step ${stopAt}`).toEqual(whole.params);
        expect(resumed.carriedState()).toEqual(whole.carriedState());
        expect(resumed.state()).toEqual(whole.state());
        // the last pass's mean loss counts the windows run before the stop too
        if (stopAt < total) expect(lastLoss).toBe(losses[c.epochs - 1]);
      }
    });
  }

  it("refuses a state of another version, precision, model or data", async () => {
    const c = cases["truncated BPTT(2, 2), momentum, minibatches"];
    const { data, params, trainer } = await setup(c);
    const t = trainer(params(1));
    let mid: TrainerState | undefined;
    await t.fit(data, (s) => {
      if (s.step === 4) mid = JSON.parse(JSON.stringify(t.state())) as TrainerState;
    });
    const state = mid!;
    expect(state.position).toMatchObject({ batch: 1, window: 1 });
    expect(() => trainer(params(2)).restore({ ...state, version: 1 })).toThrow(
      "trainer state version 1 is not 2: it was written by an older unroll, whose pass loss was the mean of window losses rather than of counted steps",
    );
    expect(() => trainer(params(2)).restore({ ...state, dtype: "float32" })).toThrow("trainer state dtype is float32 but the parameters are float64");
    const { "head.b": _, ...fewer } = state.params;
    expect(() => trainer(params(2)).restore({ ...state, params: fewer })).toThrow("trainer state params are");
    const bad = { ...state.params, "head.b": { shape: [3], data: [0, 0, 0] } };
    expect(() => trainer(params(2)).restore({ ...state, params: bad })).toThrow("params.head.b: shape [3] but the model expects [2]");
    expect(() => trainer(params(2)).restore({ ...state, optimizer: { ...state.optimizer, kind: "adam" } })).toThrow(
      "optimizer: cannot load adam optimizer state into momentum",
    );
    // the same model on data with fewer rows: one minibatch only, so minibatch 1 does not exist
    const fewerRows: SequenceData = {
      sequences: { x: { shape: [T, 1, I], data: new Float64Array(T * I) }, y: { shape: [T, 1, O], data: new Float64Array(T * O) } },
    };
    const r = trainer(params(2));
    r.restore(state);
    await expect(r.fit(fewerRows)).rejects.toThrow("the restored position (minibatch 1, window 1) is outside this data's 1 minibatches of 3 windows");
  });

  it("keeps -0, NaN and infinities through JSON", async () => {
    const c = cases["full BPTT, sgd, float64"];
    const { params, trainer } = await setup(c);
    const p = params(1);
    p["head.b"].data.set([-0, NaN]);
    const t = trainer(p);
    const state = JSON.parse(JSON.stringify(t.state())) as TrainerState;
    expect(state.params["head.b"].data).toEqual(["-0", "NaN"]);
    const q = params(2);
    trainer(q).restore(state);
    expect(Object.is(q["head.b"].data[0], -0)).toBe(true);
    expect(q["head.b"].data[1]).toBeNaN();
  });
});
