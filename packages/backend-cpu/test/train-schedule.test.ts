import { describe, expect, it } from "vitest";
import { adam, sgd, Trainer, type LrSchedule, type SequenceData, type TrainerState } from "@unroll/bptt";
import { cloneAll, loadFloat64, randomParams, tensor, uniform, type Spec } from "./support/bptt-fixtures.js";

// Learning-rate schedules inside Trainer: the rates it applies are the documented
// ones, and a run stopped mid-schedule and restored ends bit-identical to one never stopped.
const T = 6;
const B = 2;
const spec: Spec = { input: 2, layers: [{ cell: "gru", hidden: 3 }], head: { units: 2, activation: "linear" }, loss: "mse" };

async function setup() {
  const { program, loaded } = await loadFloat64(spec);
  const next = uniform(5);
  const data: SequenceData = { sequences: { x: tensor([T, B, 2], next), y: tensor([T, B, 2], next) } };
  return { program, loaded, data, params: randomParams(program, 3) };
}

/** Thrown from `onStep` to stop a run, as a kill would. */
class Stop extends Error {}

describe("Trainer with lrSchedule", () => {
  it("updates with the documented rates: step(1, 0.5) over 3 windows an epoch, warm-up 4 steps", async () => {
    const { program, loaded, data, params } = await setup();
    const schedule: LrSchedule = { decay: { kind: "step", every: 1, gamma: 0.5 }, warmup: 4 };
    const optimizer = sgd({ lr: 0.2 });
    const trainer = new Trainer(loaded, program, cloneAll(params), { optimizer, truncation: { kind: "chunked", window: 2 }, lrSchedule: schedule });
    const used: number[] = [];
    for (let e = 0; e < 3; e++) await trainer.fit(data, () => void used.push(optimizer.lr));
    // epoch 1: 0.2 · (1/4, 2/4, 3/4); epoch 2: 0.1 · (4/4 …); epoch 3: 0.05
    expect(used).toEqual([0.05, 0.1, 0.15000000000000002, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05]);
    // the same updates by hand: a trainer without a schedule whose optimizer's rate is set before each step
    const manual = sgd({ lr: 0 });
    const reference = new Trainer(loaded, program, cloneAll(params), { optimizer: manual, truncation: { kind: "chunked", window: 2 } });
    let i = 0;
    manual.lr = used[0];
    for (let e = 0; e < 3; e++) await reference.fit(data, () => void (manual.lr = used[++i]));
    expect(trainer.params).toEqual(reference.params);
  });

  it("stopped after any step and restored into a fresh Trainer and optimizer, ends bit-identical (adam, cosine, warm-up)", async () => {
    const { program, loaded, data, params } = await setup();
    const schedule: LrSchedule = { decay: { kind: "cosine", period: 3, minLr: 0.001 }, warmup: 2 };
    const make = () =>
      new Trainer(loaded, program, cloneAll(params), { optimizer: adam({ lr: 0.05 }), truncation: { kind: "chunked", window: 3 }, lrSchedule: schedule });
    const epochs = 3;
    const whole = make();
    for (let e = 0; e < epochs; e++) await whole.fit(data);
    for (let stopAt = 1; stopAt < whole.steps; stopAt++) {
      const first = make();
      let saved: TrainerState | undefined;
      try {
        for (let e = 0; e < epochs; e++) {
          await first.fit(data, (s) => {
            if (s.step !== stopAt) return;
            saved = JSON.parse(JSON.stringify(first.state())) as TrainerState;
            throw new Stop();
          });
        }
      } catch (e) {
        if (!(e instanceof Stop)) throw e;
      }
      const resumed = make();
      resumed.restore(saved!);
      expect(resumed.lr).toBe(resumedRate(schedule, saved!));
      while (resumed.epochs < epochs) await resumed.fit(data);
      expect(resumed.params, `stopped after step ${stopAt}`).toEqual(whole.params);
      expect(resumed.state()).toEqual(whole.state());
    }
  });

  it("refuses a schedule that cannot work, saying what is valid", async () => {
    const { program, loaded, params } = await setup();
    expect(() => new Trainer(loaded, program, params, { optimizer: sgd({ lr: 0.1 }), lrSchedule: { decay: { kind: "exponential", gamma: 0 } } })).toThrow(
      "lrSchedule: exponential decay: gamma must be in (0, 1], got 0",
    );
  });
});

/** The rate a restored trainer's next update uses, from the saved counters: 0.05 scaled by the cosine and the warm-up, written out. */
function resumedRate(schedule: LrSchedule, state: TrainerState): number {
  const decay = schedule.decay as { period: number; minLr: number };
  const e = Math.min(state.epochs, decay.period);
  const cosine = decay.minLr + ((0.05 - decay.minLr) * (1 + Math.cos((Math.PI * e) / decay.period))) / 2;
  return cosine * Math.min(1, (state.steps + 1) / schedule.warmup!);
}
