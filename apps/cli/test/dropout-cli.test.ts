import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "unroll-dropout-cli-"));
const file = (name: string, value?: unknown): string => {
  const p = join(dir, name);
  if (value !== undefined) writeFileSync(p, JSON.stringify(value));
  return p;
};
const read = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));

const plainSpec = { input: 2, layers: [{ cell: "gru", hidden: 3 }], head: { units: 1, activation: "linear" }, loss: "mse" };
const plain = file("plain.json", plainSpec);
const dropped = file("dropped.json", {
  ...plainSpec,
  layers: [{ cell: "gru", hidden: 3, dropout: 0.3, variational: true, recurrentDropout: 0.3 }],
  head: { units: 1, activation: "linear", dropout: 0.2 },
});
const x = Array.from({ length: 6 }, (_, t) => [
  [Math.sin(t), Math.cos(t)],
  [0.5 * t - 1, 0.25],
]);
const data = file("data.json", { x, y: x.map((rows) => rows.map(([a, b]) => [a * b])) });
const train = (model: string, save: string, ...more: string[]) =>
  runCli([
    "train",
    "--model",
    model,
    "--data",
    data,
    "--dtype",
    "float64",
    "--seed",
    "1",
    "--save",
    file(save),
    "--optimizer",
    "sgd",
    "--lr",
    "0.5",
    "--epochs",
    "2",
    "--quiet",
    ...more,
  ]);

describe("unroll train with dropout", () => {
  it("drops by default with seed 0, reproducibly per --dropout-seed", () => {
    for (const [save, more] of [
      ["default.json", []],
      ["seed0.json", ["--dropout-seed", "0"]],
      ["seed5.json", ["--dropout-seed", "5"]],
      ["seed5-again.json", ["--dropout-seed", "5"]],
    ] as const) {
      const r = train(dropped, save, ...more);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
    expect(train(plain, "plain-w.json").status).toBe(0);
    expect(read("seed0.json")).toEqual(read("default.json"));
    expect(read("seed5-again.json")).toEqual(read("seed5.json"));
    expect(read("seed5.json")).not.toEqual(read("seed0.json"));
    // the same start and data without dropout trains to other weights: the masks were on
    expect(read("default.json")).not.toEqual(read("plain-w.json"));
  });

  it("runs with dropout off: the same outputs as the model without dropout", () => {
    const run = (model: string, out: string) =>
      runCli(["run", "--model", model, "--data", data, "--dtype", "float64", "--weights", file("default.json"), "--out", file(out)]);
    expect(run(dropped, "run-dropped.json").status).toBe(0);
    expect(run(plain, "run-plain.json").status).toBe(0);
    expect(read("run-dropped.json").outputs).toEqual(read("run-plain.json").outputs);
  });

  it("refuses --dropout-seed for a model without dropout, and a seed that is not a 32-bit whole number", () => {
    const none = train(plain, "none.json", "--dropout-seed", "3");
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/--dropout-seed seeds the dropout masks, but this model has no dropout/);
    const bad = train(dropped, "bad.json", "--dropout-seed", "-1");
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--dropout-seed must be a whole number from 0 to 4294967295, got "-1"/);
  });
});
