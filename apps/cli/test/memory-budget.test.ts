import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Every path that allocates from user input refuses a request above the memory budget before allocating:
// each refusal is measured in a child process, fast and with a small peak resident memory, where the
// request asked for many GB.
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const reportRss = fileURLToPath(new URL("./fixtures/report-max-rss.mjs", import.meta.url));
const root = fileURLToPath(new URL("../../..", import.meta.url));
/** Above this peak RSS a refusal has allocated what it refused (the CLI itself, tsx included, takes about 130 MB). */
const MAX_RSS_MB = 300;
/**
 * A refusal comes at once: loading the CLI from source takes one to three seconds on a busy
 * machine, where allocating and filling the gigabytes asked for would take far longer.
 */
const MAX_SECONDS = 8;

interface Refusal {
  readonly status: number;
  readonly stdout: string;
  readonly message: string;
  readonly rssMb: number;
  readonly seconds: number;
}

/** Runs the CLI from source with its peak RSS reported on exit. */
function measure(args: string[]): Refusal {
  const started = performance.now();
  const r = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", "--import", reportRss, main, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  const seconds = (performance.now() - started) / 1000;
  const rss = /\nmaxRSS (\d+)\n/.exec(r.stderr);
  if (!rss) throw new Error(`no maxRSS report: ${r.stderr}`);
  return { status: r.status ?? -1, stdout: r.stdout, message: r.stderr.slice(0, rss.index).trim(), rssMb: Number(rss[1]) / 1024, seconds };
}

/** Asserts a fast, small refusal with exit 2 and one line naming the budget. */
function expectRefused(r: Refusal, message: RegExp, maxSeconds = MAX_SECONDS): void {
  expect(r.message).toMatch(message);
  expect(r.message).toMatch(/above the memory budget of [\d.]+ [KMGT]?i?B/);
  expect(r.message).not.toMatch(/\n\s+at /);
  expect(r.status).toBe(2);
  expect(r.seconds).toBeLessThan(maxSeconds);
  expect(r.rssMb).toBeLessThan(MAX_RSS_MB);
}

const dir = mkdtempSync(join(tmpdir(), "unroll-budget-"));
const file = (name: string, value: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(value));
  return p;
};
const spec = (hidden: number, input = 2): unknown => ({ input, layers: [{ cell: "rnn", hidden }], head: { units: 1, activation: "linear" }, loss: "mse" });
const small = file("small.json", spec(3));
/** Zero weights of `spec(3)` (I = 2, H = 3), with or without its head. */
const zeroWeights = (head: boolean): Record<string, number[] | number[][]> => ({
  "layers.0.W_in": [Array(3).fill(0), Array(3).fill(0)],
  "layers.0.W_re": [Array(3).fill(0), Array(3).fill(0), Array(3).fill(0)],
  "layers.0.b": [0, 0, 0],
  ...(head ? { "head.W": [[0], [0], [0]], "head.b": [0] } : {}),
});
const data = file("data.json", { x: [[[1, 2]], [[3, 4]]], y: [[[1]], [[0]]] });
const train = (model: string, out: string, ...more: string[]): string[] => [
  "train",
  "--model",
  model,
  "--data",
  data,
  "--save",
  out,
  "--optimizer",
  "sgd",
  "--lr",
  "0.1",
  ...more,
];

describe("requests above the memory budget are refused before allocating", () => {
  it("parameters from --seed: the spec's sizes name the field, the figures are the hand count, nothing is written", () => {
    // hidden 100,000 and input 2: W_in 2·H, W_re H·H, b H, head W H·1 and b 1
    const H = 100_000;
    const numbers = 2 * H + H * H + H + H + 1;
    const out = join(dir, "never.json");
    const log = join(dir, "never.jsonl");
    const r = measure(train(file("wide.json", spec(H)), out, "--seed", "1", "--log", log));
    expectRefused(r, /wide\.json: layers\[0\]\.hidden: the parameters need 37\.3 GiB \(10,000,400,001 numbers in float32\)/);
    expect(numbers).toBe(10_000_400_001);
    expect(r.message).toMatch(/; use --max-memory MiB to raise it$/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(log)).toBe(false);
  });

  it("parameters blamed on the input width when it is the larger", () => {
    const r = measure(train(file("wide-input.json", spec(4, 2_000_000_000)), join(dir, "never.json"), "--seed", "1"));
    expectRefused(r, /wide-input\.json: input: the parameters need 29\.8 GiB \(8,000,000,025 numbers in float32\)/);
  });

  it("an existing --save file is left as it was", () => {
    const out = file("kept.json", { kept: true });
    const r = measure(train(file("wide2.json", spec(100_000)), out, "--seed", "1"));
    expect(r.status).toBe(2);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual({ kept: true });
  });

  it("a weights file larger than the budget, from its size on disk, before it is read", () => {
    const weights = join(dir, "huge-weights.json");
    writeFileSync(weights, "");
    truncateSync(weights, 20 * 2 ** 30); // a sparse file: 20 GiB on paper, nothing on disk
    const r = measure(["run", "--model", small, "--data", data, "--weights", weights, "--out", join(dir, "never.json")]);
    expectRefused(r, /huge-weights\.json: reading the weights file needs 20\.0 GiB \(21,474,836,480 bytes of JSON text\)/);
  });

  it("a data file larger than the budget, and one whose declared sizes are", () => {
    const huge = join(dir, "huge-data.json");
    writeFileSync(huge, "");
    truncateSync(huge, 20 * 2 ** 30);
    const weights = file("w.json", zeroWeights(false));
    const model = file("plain.json", { input: 2, layers: [{ cell: "rnn", hidden: 3 }] });
    const a = measure(["run", "--model", model, "--data", huge, "--weights", weights, "--out", join(dir, "never.json")]);
    expectRefused(a, /huge-data\.json: reading the data file needs 20\.0 GiB/);
    // a graph whose input is 1e9 wide: one step of one row declares 4 GB, in a file of a few bytes
    const graph = file("wide-x.json", {
      format: "unroll.graph/1",
      xs: [{ id: "x", shape: ["B", 1_000_000_000] }],
      params: [],
      carry: [],
      nodes: [{ id: "h", op: "tanh", inputs: ["x"] }],
      ys: [{ id: "output", value: "h" }],
      update: {},
    });
    const small = file("tiny-data.json", { x: [[[1]]] });
    const b = measure(["run", "--model", graph, "--data", small, "--weights", file("none.json", {}), "--out", join(dir, "never.json"), "--max-memory", "1024"]);
    expectRefused(
      b,
      /tiny-data\.json: field "x": the data need 3\.73 GiB \(1,000,000,000 numbers in float32: 1 steps × 1 rows at the model's widths\), above the memory budget of 1\.00 GiB/,
    );
  });

  it("a window program: its buffer plan above the budget, before its buffers are allocated", () => {
    // small parameters and data, but each step one-hot encodes its class id into 1e9 columns: 4 GB a step
    const graph = file("one-hot.json", {
      format: "unroll.graph/1",
      xs: [{ id: "c", shape: ["B"] }],
      params: [],
      carry: [],
      nodes: [{ id: "h", op: "oneHot", inputs: ["c"], attrs: { depth: 1_000_000_000 } }],
      ys: [{ id: "output", value: "h" }],
      update: {},
    });
    const ids = file("ids.json", { c: [[0], [1], [2]] });
    const r = measure(["run", "--model", graph, "--data", ids, "--weights", file("none2.json", {}), "--out", join(dir, "never.json"), "--max-memory", "4096"]);
    // the outputs [3, 1, 1e9] in float32: 12e9 bytes
    expect(12e9 / 2 ** 30).toBeCloseTo(11.18, 2);
    expectRefused(
      r,
      /^unroll: a window of 3 steps × batch 1 needs 11\.2 GiB \(inputs 12 B, buffers 11\.2 GiB, .*\), above the memory budget of 4\.00 GiB; use --max-memory/,
    );
    expect(existsSync(join(dir, "never.json"))).toBe(false);
  });

  it("a window program on the worker pool, checked whole before it is split", () => {
    const graph = file("one-hot-w.json", {
      format: "unroll.graph/1",
      xs: [{ id: "c", shape: ["B"] }],
      params: [],
      carry: [],
      nodes: [{ id: "h", op: "oneHot", inputs: ["c"], attrs: { depth: 1_000_000_000 } }],
      ys: [{ id: "output", value: "h" }],
      update: {},
    });
    const ids = file("ids2.json", { c: [[0, 1]] });
    const r = measure([
      "run",
      "--model",
      graph,
      "--data",
      ids,
      "--weights",
      file("none3.json", {}),
      "--out",
      join(dir, "never.json"),
      "--backend",
      "workers",
      "--workers",
      "2",
      "--max-memory",
      "4096",
    ]);
    // the whole window's outputs [1, 2, 1e9]: 8e9 bytes, where each worker's half would be within the budget
    // the pool starts its workers (each loading the engine from source) before the first window: more time, the same memory
    expectRefused(r, /^unroll: a window of 1 steps × batch 2 needs 7\.45 GiB \(inputs 8 B, buffers 7\.45 GiB/, 15);
  });

  it("RTRL's sensitivities, by default (no --max-memory)", () => {
    // rnn of 2,000 units: 4 million parameters fit, but the sensitivities of its 2,000 states to the layer's
    // 2·2000 + 2000·2000 + 2000 parameters are 2000 · 4,006,000 numbers
    const r = measure(train(file("rtrl.json", spec(2000)), join(dir, "never.json"), "--seed", "1", "--method", "rtrl"));
    expectRefused(
      r,
      /RTRL would need [\d.]+ GiB for a window of 2 steps, above the memory budget of [\d.]+ GiB: its sensitivities alone are 8,012,000,000 numbers \(29\.8 GiB\)/,
    );
  });

  it("grad: BPTT's run over the budget, with --max-memory", () => {
    const weights = file("w2.json", zeroWeights(true));
    const r = measure(["grad", "--model", small, "--data", data, "--weights", weights, "--out", join(dir, "never.json"), "--max-memory", "0.0005"]);
    // 0.0005 MiB = 524 bytes: the files fit, the run does not
    expectRefused(r, /^unroll: full BPTT of 2 steps × batch 1 needs [\d.]+ (B|KiB) \(estimated peak\), above the memory budget of 524 B/);
  });

  it("plan reports the estimate against the budget, and says when it is over", () => {
    const wide = file("plan-wide.json", spec(100_000));
    const r = measure(["plan", "--model", wide, "--data", data]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/estimated peak memory of the run: [\d.]+ GiB/);
    expect(r.stdout).toMatch(/over the memory budget of [\d.]+ GiB: grad and train would refuse it; use --max-memory MiB to raise the budget/);
    expect(r.seconds).toBeLessThan(MAX_SECONDS);
    expect(r.rssMb).toBeLessThan(MAX_RSS_MB);
    const json = JSON.parse(measure(["plan", "--model", small, "--data", data, "--json", "--max-memory", "1"]).stdout);
    expect(json.memory.budget).toBe(2 ** 20);
    expect(json.memory.overBudget).toBe(json.memory.peak > 2 ** 20);
    expect(json.memory.overBudget).toBe(false);
  });

  it("--max-memory must be a positive number of MiB", () => {
    const r = measure(["plan", "--model", small, "--data", data, "--max-memory", "-1"]);
    expect(r.status).toBe(2);
    expect(r.message).toMatch(/--max-memory must be a positive number of MiB, got "-1"/);
  });
});
