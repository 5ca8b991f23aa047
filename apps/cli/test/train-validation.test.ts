import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

// train's validation, metrics, schedules and early stopping, checked against
// `unroll run` on the saved weights and plain loops over its outputs.
const dir = mkdtempSync(join(tmpdir(), "unroll-train-val-"));
const file = (name: string, value?: unknown): string => {
  const p = join(dir, name);
  if (value !== undefined) writeFileSync(p, JSON.stringify(value));
  return p;
};
const read = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));

const T = 5;
const B = 8;
/** Sequences of two inputs; class 1 when they sum above 0 (cross_entropy), or their sum halved as the target (mse). */
function sequences(seed: number, regression: boolean) {
  let s = seed;
  const next = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const x: number[][][] = [];
  const y: (number | number[])[][] = [];
  for (let t = 0; t < T; t++) {
    x.push([]);
    y.push([]);
    for (let b = 0; b < B; b++) {
      const [a, c] = [next(), next()];
      x[t].push([a, c]);
      y[t].push(regression ? [(a + c) / 2] : a + c > 0 ? 1 : 0);
    }
  }
  return { x, y };
}
const classifier = { input: 2, layers: [{ cell: "gru", hidden: 4 }], head: { units: 2, activation: "softmax" }, loss: "cross_entropy" };
const regressor = { input: 2, layers: [{ cell: "rnn", hidden: 3 }], head: { units: 1, activation: "linear" }, loss: "mse" };

/** `unroll train` on the classifier with the given extra options. */
function train(save: string, ...extra: string[]) {
  return runCli([
    "train",
    "--model",
    file("ce.json"),
    "--data",
    file("ce-data.json"),
    "--seed",
    "1",
    "--save",
    file(save),
    "--dtype",
    "float64",
    "--optimizer",
    "adam",
    "--lr",
    "0.05",
    ...extra,
  ]);
}

/** The loss `unroll run` gives, and the accuracy of its outputs by a plain loop, for weights on data. */
function measured(weights: string, data: string): { loss: number; accuracy: number } {
  const r = runCli(["run", "--model", file("ce.json"), "--weights", file(weights), "--data", file(data), "--dtype", "float64", "--out", file("run.json")]);
  expect(r.status, r.stderr).toBe(0);
  const { outputs, loss } = read("run.json") as { outputs: number[][][]; loss: number };
  const y = (read(data) as { y: number[][] }).y;
  let hits = 0;
  outputs.forEach((step, t) => step.forEach((p, b) => (hits += (p[1] > p[0] ? 1 : 0) === y[t][b] ? 1 : 0)));
  return { loss, accuracy: hits / (outputs.length * outputs[0].length) };
}

/** The `name value` pairs of a printed line. */
function fields(line: string): Record<string, number> {
  const out: Record<string, number> = {};
  const words = line
    .slice(line.indexOf(":") + 1)
    .trim()
    .split(" ");
  for (let i = 0; i + 1 < words.length; i += 2) out[words[i]] = Number(words[i + 1]);
  return out;
}

describe("unroll train with validation", () => {
  beforeAll(() => {
    file("ce.json", classifier);
    file("ce-data.json", sequences(3, false));
    file("ce-val.json", sequences(99, false));
    file("mse.json", regressor);
    file("mse-data.json", sequences(5, true));
  });

  it("prints a line per epoch and the final weights' loss and accuracy, as run measures them on training and validation data", () => {
    const r = train("w1.json", "--epochs", "4", "--val-data", file("ce-val.json"), "--lr-schedule", "exp:0.5");
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.trim().split("\n");
    const epochs = lines.filter((l) => l.startsWith("epoch "));
    expect(epochs.map((l) => l.slice(0, l.indexOf(":")))).toEqual(["epoch 1/4", "epoch 2/4", "epoch 3/4", "epoch 4/4"]);
    expect(Object.keys(fields(epochs[0]))).toEqual(["loss", "accuracy", "val_loss", "val_accuracy", "lr"]);
    // one update an epoch: 0.05 · 0.5^(epoch − 1)
    expect(epochs.map((l) => fields(l).lr)).toEqual([0.05, 0.025, 0.0125, 0.00625]);
    const final = fields(lines.find((l) => l.startsWith("final weights:"))!);
    const onTrain = measured("w1.json", "ce-data.json");
    const onVal = measured("w1.json", "ce-val.json");
    expect(final.loss).toBeCloseTo(onTrain.loss, 4);
    expect(final.accuracy).toBeCloseTo(onTrain.accuracy, 4);
    expect(final.val_loss).toBeCloseTo(onVal.loss, 4);
    expect(final.val_accuracy).toBeCloseTo(onVal.accuracy, 4);
    // the last epoch's validation is of the same (final) weights
    expect(fields(epochs[3]).val_loss).toBe(final.val_loss);
  });

  it("--val-split validates on the last rows; mse reports mae by default; early stopping restores the best epoch's weights", () => {
    const r = runCli([
      "train",
      "--model",
      file("mse.json"),
      "--data",
      file("mse-data.json"),
      "--seed",
      "2",
      "--save",
      file("w2.json"),
      "--dtype",
      "float64",
      "--optimizer",
      "sgd",
      "--lr",
      "3",
      "--epochs",
      "40",
      "--val-split",
      "0.25",
      "--patience",
      "2",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.trim().split("\n");
    const epochs = lines.filter((l) => l.startsWith("epoch ")).map(fields);
    expect(Object.keys(epochs[0])).toEqual(["loss", "mae", "val_loss", "val_mae", "lr"]);
    const stop = lines.find((l) => l.startsWith("early stopping after epoch "));
    expect(stop, r.stderr).toBeDefined();
    // the rule: the best epoch, then `patience` epochs without a lower val_loss
    const valLosses = epochs.map((e) => e.val_loss);
    const best = valLosses.indexOf(Math.min(...valLosses));
    expect(epochs.length).toBe(best + 1 + 2);
    expect(stop).toContain(`val_loss best at epoch ${best + 1}`);
    const final = fields(lines.find((l) => l.startsWith("final weights:"))!);
    expect(final.val_loss).toBe(valLosses[best]);
  });

  it("--val-data of a --text run is text numbered by the training text's vocabulary", () => {
    // the validation text's own vocabulary would be "bd": 2 characters, not the model's 4
    writeFileSync(join(dir, "train.txt"), "abcdabdcacbdadbc".repeat(4));
    writeFileSync(join(dir, "val.txt"), "bdbdbbdd".repeat(2));
    const charModel = { input: 4, layers: [{ cell: "gru", hidden: 4 }], head: { units: 4, activation: "softmax" }, loss: "cross_entropy" };
    const common = ["--model", file("char.json", charModel), "--seq-len", "4", "--dtype", "float64"];
    const r = runCli(
      [
        "train",
        ...common,
        ["--text", file("train.txt")],
        ["--val-data", file("val.txt"), "--save-vocab", file("vocab.json"), "--seed", "1"],
        ["--optimizer", "adam", "--lr", "0.05", "--epochs", "2", "--save", file("wc.json")],
      ].flat(),
    );
    expect(r.status, r.stderr).toBe(0);
    expect(read("vocab.json").chars).toEqual(["a", "b", "c", "d"]);
    const final = fields(r.stderr.split("\n").find((l) => l.startsWith("final weights:"))!);
    const run = runCli([
      "run",
      ...common,
      "--text",
      file("val.txt"),
      "--vocab",
      file("vocab.json"),
      "--weights",
      file("wc.json"),
      "--quiet",
      "--out",
      file("vr.json"),
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(final.val_loss).toBeCloseTo(read("vr.json").loss, 4);
  });

  it("refuses options that cannot work, saying what is accepted", () => {
    const cases: [string[], string][] = [
      [["--patience", "2"], "--patience stops on the validation loss: give --val-data FILE or --val-split F with it"],
      [["--val-split", "0.5", "--min-delta", "0.1"], "--min-delta tunes early stopping: give --patience N with it"],
      [["--val-split", "0.5", "--no-restore-best"], "--no-restore-best tunes early stopping: give --patience N with it"],
      [["--val-split", "1.5"], '--val-split must be a number in (0, 1), got "1.5"'],
      [["--val-split", "0.5", "--val-data", file("ce-val.json")], "give either --val-data FILE or --val-split F, not both"],
      [["--lr-schedule", "exp:1.5"], '--lr-schedule GAMMA must be a number in (0, 1], got "exp:1.5"'],
      [["--metric", "f1"], "argument 'f1' is invalid. Allowed choices are accuracy, mae."],
    ];
    for (const [args, message] of cases) {
      const r = train("never.json", ...args);
      expect(r.status, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toContain(message);
    }
  });
});
