import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, runCliInProcess } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "unroll-data-"));
const file = (name: string, value: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof value === "string" ? value : JSON.stringify(value));
  return p;
};
const example = (path: string) => fileURLToPath(new URL(`../examples/${path}`, import.meta.url));

/** Runs the CLI in this process, capturing what it writes. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { status, stdout, stderr } = await runCliInProcess(args);
  return { code: status, stdout, stderr };
}

/** The first and last epoch's mean loss from train's summary line (on stderr, with the progress). */
function lossFall(stderr: string): [number, number] {
  const m = /trained \d+ steps: loss ([\d.]+) -> ([\d.]+)/.exec(stderr);
  if (!m) throw new Error(`no loss summary in ${JSON.stringify(stderr)}`);
  return [Number(m[1]), Number(m[2])];
}

const model = file("model.json", { input: 1, layers: [{ cell: "rnn", hidden: 2 }], head: { units: 1, activation: "linear" }, loss: "mse" });
const weights = file("weights.json", {
  "layers.0.W_in": [[0.5, -0.3]],
  "layers.0.W_re": [
    [0.1, 0.2],
    [-0.4, 0.3],
  ],
  "layers.0.b": [0.1, 0],
  "head.W": [[1], [-2]],
  "head.b": [0.2],
});

describe("CSV time series", () => {
  it("trains the sine example, grouped by its wave column, to under a 20th of its first loss", async () => {
    const r = await inProcess([
      "train",
      ...["--model", example("sine/model.json"), "--data", example("sine/series.csv")],
      ...["--sequence-col", "wave", "--input-cols", "value", "--target-shift", "1"],
      ...["--seed", "1", "--optimizer", "adam", "--lr", "0.01", "--epochs", "60", "--save", join(dir, "sine-w.json")],
    ]);
    expect([r.code, r.stdout]).toEqual([0, ""]);
    const [first, last] = lossFall(r.stderr);
    // the first loss is about the waves' variance (0.45); the floor is the noise of the next value (±0.05 uniform)
    expect(first).toBeGreaterThan(0.3);
    expect(last).toBeLessThan(first / 20);
  });

  it("gives run the same sequences as the equivalent JSON document, padding and lengths included", async () => {
    // sequences "b" (3 rows) and "a" (2 rows), interleaved; target: the next value of column v
    const csv = file("s.csv", "seq,v\nb,1\na,5\nb,2\nb,3\na,6\nb,4\n");
    const json = file("s.json", {
      x: [
        [[1], [5]],
        [[2], [0]],
        [[3], [0]],
      ],
      y: [
        [[2], [6]],
        [[3], [0]],
        [[4], [0]],
      ],
      lengths: [3, 1],
    });
    const viaCsv = await inProcess([
      "run",
      "--model",
      model,
      "--weights",
      weights,
      "--data",
      csv,
      "--sequence-col",
      "seq",
      "--input-cols",
      "v",
      "--target-shift",
      "1",
      "--out",
      join(dir, "o-csv.json"),
    ]);
    const viaJson = await inProcess(["run", "--model", model, "--weights", weights, "--data", json, "--out", join(dir, "o-json.json")]);
    expect([viaCsv.code, viaCsv.stderr, viaJson.code]).toEqual([0, "", 0]);
    const [a, b] = ["o-csv.json", "o-json.json"].map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
    expect(a).toEqual(b);
    expect(a.loss).toBeGreaterThan(0);
  });

  it("cuts windows for grad, and names the line and column of a bad cell", async () => {
    const series = file("long.csv", ["v", ...Array.from({ length: 20 }, (_, t) => String(Math.sin(t / 3)))].join("\n"));
    const g = await inProcess([
      "grad",
      "--model",
      model,
      "--weights",
      weights,
      "--data",
      series,
      "--input-cols",
      "v",
      "--target-shift",
      "1",
      "--window",
      "5",
      "--stride",
      "3",
      "--out",
      join(dir, "g.json"),
    ]);
    expect([g.code, g.stderr]).toEqual([0, ""]);
    // 19 usable steps after the shift: windows start at 0, 3, …, 12 (5 windows of 5 steps)
    expect(JSON.parse(readFileSync(join(dir, "g.json"), "utf8")).outputs).toHaveLength(5);
    expect(JSON.parse(readFileSync(join(dir, "g.json"), "utf8")).outputs[0]).toHaveLength(5);

    const bad = file("bad.csv", "seq,v\na,1\na,oops\n");
    const r = await inProcess(["run", "--model", model, "--weights", weights, "--data", bad, "--input-cols", "v", "--out", join(dir, "o.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`unroll: ${bad}: line 3, column "v": "oops" is not a finite number\n`);
  });

  it.each([
    [["--input-cols", "v", "--data-format", "xml"], /--data-format <format>' argument 'xml' is invalid. Allowed choices are json, csv, text/],
    [[], /CSV data needs --input-cols: the input columns, comma-separated header names or 0-based indices/],
    [["--input-cols", "w"], /input column "w" is not a column; columns are the header's names \(seq, v\) or indices 0 to 1/],
    [["--input-cols", "v", "--target-shift", "-1"], /--target-shift must be an integer ≥ 0, got "-1"/],
    [["--input-cols", "v", "--header", "maybe"], /--header must be auto, yes or no, got "maybe"/],
    [["--input-cols", "v", "--seq-len", "4"], /--seq-len applies to text data \(--text FILE\), not to csv data/],
    [["--input-cols", "v,v", "--target-shift", "1"], /--input-cols chose 2 columns, but the model's "x" takes 1 column per step/],
  ])("refuses %j, saying what is valid", async (extra, message) => {
    const csv = file("ok.csv", "seq,v\na,1\na,2\n");
    const r = await inProcess([
      "train",
      "--model",
      model,
      "--data",
      csv,
      ...extra,
      "--seed",
      "1",
      "--optimizer",
      "sgd",
      "--lr",
      "0.1",
      "--save",
      join(dir, "never.json"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("gives plan the same sequences: the longest wave's 49 steps after the shift, 8 waves, masked", async () => {
    const r = await inProcess([
      "plan",
      ...["--model", example("sine/model.json"), "--data", example("sine/series.csv")],
      ...["--sequence-col", "wave", "--input-cols", "value", "--target-shift", "1", "--truncate", "20", "--json"],
    ]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const plan = JSON.parse(r.stdout);
    expect([plan.steps, plan.batch, plan.forward.program.masked]).toEqual([49, 8, true]);
  });

  it("asks train for targets when the CSV gives none", async () => {
    const r = await inProcess([
      "train",
      "--model",
      model,
      "--data",
      file("t.csv", "v\n1\n2\n"),
      "--input-cols",
      "v",
      "--seed",
      "1",
      "--optimizer",
      "sgd",
      "--lr",
      "0.1",
      "--save",
      join(dir, "never.json"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the model needs targets: choose them with --target-cols, or --target-shift k/);
  });
});

describe("plain text for a character-level model", () => {
  it("trains the char-level GRU example from about ln 35 to well under the characters' unigram entropy (2.99 nats)", async () => {
    const vocab = join(dir, "vocab.json");
    const r = await inProcess([
      "train",
      ...["--model", example("text/model.json"), "--text", example("text/corpus.txt"), "--seq-len", "32", "--save-vocab", vocab],
      ...["--seed", "1", "--optimizer", "adam", "--lr", "0.01", "--epochs", "20", "--batch-size", "22", "--save", join(dir, "text-w.json")],
    ]);
    expect([r.code, r.stdout]).toEqual([0, ""]);
    const [first, last] = lossFall(r.stderr);
    expect(Math.abs(first - Math.log(35))).toBeLessThan(0.2);
    // predicting each character from its frequency alone would give 2.99; below 2.5 the GRU uses the context
    expect(last).toBeLessThan(2.5);
    const saved = JSON.parse(readFileSync(vocab, "utf8"));
    expect(saved.format).toBe("unroll.vocab/1");
    expect(saved.chars).toHaveLength(35);
    expect(saved.chars.slice(0, 3)).toEqual(["\n", " ", "!"]);
  });

  it("reuses a saved vocabulary with --vocab, and names where a character outside it is", async () => {
    const vocab = file("abc-vocab.json", { format: "unroll.vocab/1", chars: ["\n", "a", "b", "c"] });
    const charModel = file("char.json", { input: 4, layers: [{ cell: "gru", hidden: 4 }], head: { units: 4, activation: "softmax" }, loss: "cross_entropy" });
    const sgd = ["--seed", "1", "--optimizer", "sgd", "--lr", "0.1", "--quiet"];
    const ok = await inProcess([
      "train",
      "--model",
      charModel,
      "--text",
      file("abc.txt", "abcabcab"),
      "--seq-len",
      "3",
      "--vocab",
      vocab,
      ...sgd,
      "--save",
      join(dir, "abc-w.json"),
    ]);
    expect([ok.code, ok.stderr]).toEqual([0, ""]);
    const r = await inProcess([
      "train",
      "--model",
      charModel,
      "--text",
      file("abd.txt", "abc\nabd"),
      "--seq-len",
      "3",
      "--vocab",
      vocab,
      ...sgd,
      "--save",
      join(dir, "never.json"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/abd\.txt: line 2, column 3: the character "d" is not in the vocabulary \(4 characters\)/);
  });

  it("says which input width the vocabulary needs, and needs --seq-len", async () => {
    const text = file("hello.txt", "hello world");
    const r = await inProcess([
      "train",
      "--model",
      model,
      "--text",
      text,
      "--seq-len",
      "4",
      "--seed",
      "1",
      "--optimizer",
      "sgd",
      "--lr",
      "0.1",
      "--save",
      join(dir, "never.json"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the model's "x" is \[B, 1\] per step but the vocabulary has 8 characters: one-hot characters need "input": 8 in the model spec/);
    const noLen = await inProcess([
      "train",
      "--model",
      model,
      "--text",
      text,
      "--seed",
      "1",
      "--optimizer",
      "sgd",
      "--lr",
      "0.1",
      "--save",
      join(dir, "never.json"),
    ]);
    expect(noLen.stderr).toMatch(/text data needs --seq-len T/);
  });
});

describe("the batch-major warning", () => {
  // 6 smooth waves of 30 steps: time-major [30][6][1], and the same batch-major [6][30][1]
  const timeMajor = Array.from({ length: 30 }, (_, t) => Array.from({ length: 6 }, (_, b) => [Math.round(Math.sin(0.2 * t + 1.1 * b) * 1e4) / 1e4]));
  const batchMajor = timeMajor[0].map((_, b) => timeMajor.map((row) => row[b]));

  it("warns once on stderr, naming both readings, and runs the data as given", () => {
    const data = file("bm.json", { x: batchMajor });
    const r = runCli(["run", "--model", model, "--weights", weights, "--data", data, "--out", join(dir, "bm-out.json")]);
    expect(r.status).toBe(0);
    const warnings = r.stderr.split("\n").filter((l) => l.includes("batch-major"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      `unroll: warning: ${data}: "x" may be batch-major: read time-major, as unroll does, it is 6 steps × 30 rows; read batch-major it would be 30 steps × 6 rows`,
    );
  });

  it("stays quiet on time-major data", () => {
    const r = runCli(["run", "--model", model, "--weights", weights, "--data", file("tm.json", { x: timeMajor }), "--out", join(dir, "tm-out.json")]);
    expect([r.status, r.stderr]).toEqual([0, ""]);
  });
});
