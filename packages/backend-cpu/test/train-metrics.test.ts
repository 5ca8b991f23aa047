import { describe, expect, it } from "vitest";
import { toNested, type Tensor } from "@unroll/ir";
import { earlyStopping, runForward, sgd, Trainer, type EpochLog, type SequenceData, type TrainingCallback } from "@unroll/bptt";
import { classIds, cloneAll, loadFloat64, randomParams, tensor, uniform, type Spec } from "./support/bptt-fixtures.js";

// Trainer.evaluate against plain loops over the forward pass's outputs, and
// Trainer.train's history and early stopping against a run that never stops.
const T = 5;
const B = 4;
const C = 3;
const classifier: Spec = { input: 2, layers: [{ cell: "rnn", hidden: 4 }], head: { units: C, activation: "softmax" }, loss: "cross_entropy" };
const oneHotClassifier: Spec = { input: 2, layers: [{ cell: "rnn", hidden: 4 }], head: { units: C, activation: "softmax" }, loss: "mse" };
const regressor: Spec = { input: 2, layers: [{ cell: "gru", hidden: 3 }], head: { units: 2, activation: "linear" }, loss: "mse" };

/** Accuracy by hand: argmax of each counted step's output against its class, over the steps inside each row's length. */
function accuracyLoop(outputs: Tensor, classOf: (t: number, b: number) => number, lengths: readonly number[]): number {
  const out = toNested(outputs) as number[][][];
  let hits = 0;
  let counted = 0;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      if (t >= lengths[b]) continue;
      const row = out[t][b];
      const predicted = row.indexOf(Math.max(...row));
      if (predicted === classOf(t, b)) hits++;
      counted++;
    }
  }
  return hits / counted;
}

describe("Trainer.evaluate", () => {
  const lengths = [5, 3, 4, 1];

  it("accuracy against class ids counts only the steps inside each row's length; the loss is the forward pass's", async () => {
    const { program, loaded } = await loadFloat64(classifier);
    const params = randomParams(program, 7, 1.5);
    const y = classIds([T, B], C, 3);
    const data: SequenceData = { sequences: { x: tensor([T, B, 2], uniform(2)), y }, lengths };
    const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr: 0.1 }) });
    const got = await trainer.evaluate(data, "accuracy");
    const forward = await runForward(loaded, params, data, program);
    const ids = toNested(y) as number[][];
    const expected = accuracyLoop(forward.outputs, (t, b) => ids[t][b], lengths);
    expect(got).toEqual({ loss: forward.loss, metric: "accuracy", value: expected });
    // some hits and some misses, so that the comparison says something
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(1);
    // all 13 counted steps: a multiple of 1/13
    expect(Math.round(expected * 13)).toBeCloseTo(expected * 13, 12);
  });

  it("accuracy against one-hot targets", async () => {
    const { program, loaded } = await loadFloat64(oneHotClassifier);
    const params = randomParams(program, 8, 1.5);
    const ids = toNested(classIds([T, B], C, 4)) as number[][];
    const y: Tensor = { shape: [T, B, C], data: new Float64Array(T * B * C) };
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) y.data[(t * B + b) * C + ids[t][b]] = 1;
    const data: SequenceData = { sequences: { x: tensor([T, B, 2], uniform(3)), y }, lengths };
    const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr: 0.1 }) });
    const got = await trainer.evaluate(data, "accuracy");
    const forward = await runForward(loaded, params, data, program);
    expect(got.value).toBe(accuracyLoop(forward.outputs, (t, b) => ids[t][b], lengths));
    expect(got.loss).toBe(forward.loss);
  });

  it("mae: mean over counted steps of the mean absolute error of their elements", async () => {
    const { program, loaded } = await loadFloat64(regressor);
    const params = randomParams(program, 9);
    const next = uniform(4);
    const data: SequenceData = { sequences: { x: tensor([T, B, 2], next), y: tensor([T, B, 2], next) }, lengths };
    const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr: 0.1 }) });
    const got = await trainer.evaluate(data, "mae");
    const out = toNested((await runForward(loaded, params, data, program)).outputs) as number[][][];
    const y = toNested(data.sequences.y) as number[][][];
    let sum = 0;
    let counted = 0;
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        if (t >= lengths[b]) continue;
        sum += (Math.abs(out[t][b][0] - y[t][b][0]) + Math.abs(out[t][b][1] - y[t][b][1])) / 2;
        counted++;
      }
    }
    expect(got.value).toBeCloseTo(sum / counted, 14);
  });

  it("says what is wrong with the targets", async () => {
    const { program, loaded } = await loadFloat64(classifier);
    const data: SequenceData = { sequences: { x: tensor([T, B, 2], uniform(2)), y: classIds([T, B], C, 3) } };
    const trainer = new Trainer(loaded, program, randomParams(program, 1), { optimizer: sgd({ lr: 0.1 }) });
    await expect(trainer.evaluate(data, "mae")).rejects.toThrow("mae: targets have shape [5, 4]; expected [5, 4, 3] for outputs [5, 4, 3]");
    await expect(trainer.evaluate(data, "accuracy", { target: "labels" })).rejects.toThrow(
      'the data has no target sequence "labels" to measure accuracy against (it has: x, y)',
    );
  });
});

describe("Trainer.train", () => {
  /** Training data, and validation data whose targets are half the training targets: validation improves for 4 epochs, then gets worse for a while. */
  async function setup() {
    const { program, loaded } = await loadFloat64(regressor);
    const next = uniform(6);
    const x = tensor([T, B, 2], next);
    const y = tensor([T, B, 2], next);
    const data: SequenceData = { sequences: { x, y } };
    const validation: SequenceData = { sequences: { x, y: { shape: y.shape, data: y.data.map((v) => 0.5 * v) } } };
    return { program, loaded, data, validation, params: randomParams(program, 2) };
  }

  it("logs each epoch's loss, metrics, validation and lr as fit and evaluate measure them", async () => {
    const { program, loaded, data, validation, params } = await setup();
    const trainer = new Trainer(loaded, program, cloneAll(params), { optimizer: sgd({ lr: 0.1 }), lrSchedule: { decay: { kind: "exponential", gamma: 0.5 } } });
    const seen: number[] = [];
    const history = await trainer.train(data, { epochs: 3, validation, metric: "mae", callbacks: [{ onEpochEnd: (log) => void seen.push(log.epoch) }] });
    // the same by hand
    const reference = new Trainer(loaded, program, cloneAll(params), {
      optimizer: sgd({ lr: 0.1 }),
      lrSchedule: { decay: { kind: "exponential", gamma: 0.5 } },
    });
    const logs: EpochLog[] = [];
    for (let e = 1; e <= 3; e++) {
      const fit = await reference.fit(data);
      const train = await reference.evaluate(data, "mae");
      const val = await reference.evaluate(validation, "mae");
      logs.push({ epoch: e, loss: fit.loss, metric: train.value, valLoss: val.loss, valMetric: val.value, lr: 0.1 * 0.5 ** (e - 1) });
    }
    expect(history).toEqual({ metric: "mae", epochs: logs, stopped: false });
    expect(seen).toEqual([1, 2, 3]);
  });

  it("early stopping stops at the epoch the rule gives and restores the best epoch's weights exactly", async () => {
    const { program, loaded, data, validation, params } = await setup();
    const epochs = 30;
    const patience = 3;
    const minDelta = 1e-4;
    // a run that never stops, keeping each epoch's validation loss and weights
    const whole = new Trainer(loaded, program, cloneAll(params), { optimizer: sgd({ lr: 0.3 }) });
    const weights: Record<string, Tensor>[] = [];
    const keep: TrainingCallback = { onEpochEnd: (_, c) => void weights.push(cloneAll(c.params)) };
    const full = await whole.train(data, { epochs, validation, callbacks: [keep] });
    // the rule written out: the best so far improves by more than minDelta, else patience runs down
    let best = Infinity;
    let bestEpoch = 0;
    let stopAt = epochs;
    for (const log of full.epochs) {
      if (log.valLoss! < best - minDelta) {
        best = log.valLoss!;
        bestEpoch = log.epoch;
      } else if (log.epoch - bestEpoch >= patience) {
        stopAt = log.epoch;
        break;
      }
    }
    expect(stopAt).toBeLessThan(epochs);
    expect([bestEpoch, stopAt]).toEqual([4, 7]);
    const stopper = earlyStopping({ monitor: "valLoss", patience, minDelta, restoreBest: true });
    const trainer = new Trainer(loaded, program, cloneAll(params), { optimizer: sgd({ lr: 0.3 }) });
    const history = await trainer.train(data, { epochs, validation, callbacks: [stopper] });
    expect(history.stopped).toBe(true);
    expect(history.epochs.length).toBe(stopAt);
    expect(history.epochs).toEqual(full.epochs.slice(0, stopAt));
    expect(stopper.bestEpoch).toBe(bestEpoch);
    expect(trainer.params).toEqual(weights[bestEpoch - 1]);
    expect(trainer.params).not.toEqual(weights[stopAt - 1]);
  });

  it("early stopping refuses what it cannot watch", async () => {
    const { program, loaded, data } = await setup();
    const trainer = new Trainer(loaded, program, randomParams(program, 2), { optimizer: sgd({ lr: 0.1 }) });
    await expect(trainer.train(data, { epochs: 2, callbacks: [earlyStopping({ patience: 1 })] })).rejects.toThrow(
      "early stopping monitors valLoss, which training does not measure (give validation data)",
    );
    await expect(trainer.train(data, { epochs: 2, callbacks: [earlyStopping({ patience: 1, monitor: "metric" })] })).rejects.toThrow(
      "early stopping monitors metric, but training has no metric",
    );
    expect(() => earlyStopping({ patience: 0 })).toThrow("patience must be a positive integer of epochs, got 0");
  });
});
