import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, runCliInProcess } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "unroll-cli-"));
const file = (name: string, value?: unknown): string => {
  const p = join(dir, name);
  if (value !== undefined) writeFileSync(p, typeof value === "string" ? value : JSON.stringify(value));
  return p;
};
const read = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));

// A one-layer rnn small enough to check by hand: I = 1, H = 1, linear head.
const model = { input: 1, layers: [{ cell: "rnn", hidden: 1 }], head: { units: 1, activation: "linear" }, loss: "mse" };
const weights = { "layers.0.W_in": [[0.5]], "layers.0.W_re": [[-0.25]], "layers.0.b": [0.1], "head.W": [[2]], "head.b": [-1] };
const data = { x: [[[1]], [[2]], [[-1]], [[0.5]]], y: [[[0]], [[1]], [[0]], [[1]]] };

/** The same network written as a plain loop. */
function reference() {
  let h = 0;
  const outputs: number[] = [];
  const hs: number[] = [];
  let loss = 0;
  data.x.forEach(([[x]], t) => {
    h = Math.tanh(h * -0.25 + x * 0.5 + 0.1);
    hs.push(h);
    outputs.push(2 * h - 1);
    loss += (outputs[t] - data.y[t][0][0]) ** 2 / data.x.length;
  });
  return { outputs, hs, loss };
}

describe("unroll CLI", () => {
  beforeAll(() => {
    file("model.json", model);
    file("weights.json", weights);
    file("data.json", data);
  });

  it("run writes outputs, states, final state and loss", () => {
    const r = runCli([
      "run",
      "--model",
      file("model.json"),
      "--weights",
      file("weights.json"),
      "--data",
      file("data.json"),
      "--out",
      file("out.json"),
      "--dtype",
      "float64",
    ]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = read("out.json");
    const ref = reference();
    out.outputs.forEach((row: number[][], t: number) => expect(row[0][0]).toBeCloseTo(ref.outputs[t], 12));
    out.states["layers.0.h"].forEach((row: number[][], t: number) => expect(row[0][0]).toBeCloseTo(ref.hs[t], 12));
    expect(out.finalState["layers.0.h"][0][0]).toBeCloseTo(ref.hs[3], 12);
    expect(out.loss).toBeCloseTo(ref.loss, 12);
  });

  it("run without targets omits the loss", () => {
    file("x-only.json", { x: data.x });
    const r = runCli(["run", "--model", file("model.json"), "--weights", file("weights.json"), "--data", file("x-only.json"), "--out", file("out2.json")]);
    expect(r.status).toBe(0);
    expect(read("out2.json").loss).toBeUndefined();
  });

  it.each([
    ["unreadable JSON", "model.json", "{ nope", /not valid JSON/],
    ["an unknown cell", "model.json", { ...model, layers: [{ cell: "lstn", hidden: 1 }] }, /layers\[0\]\.cell/],
    ["a misshapen weight", "weights.json", { ...weights, "head.W": [[1, 2]] }, /"head\.W" has shape \[1, 2\] but the model expects \[1, 1\]/],
    ["a missing weight", "weights.json", { ...weights, "head.b": undefined }, /"head\.b" is missing; expected shape \[1\]/],
    ["an extra weight", "weights.json", { ...weights, extra: [1] }, /"extra" is not a parameter/],
    ["misshapen data", "data.json", { ...data, x: [[[1, 2]]] }, /field "x" has shape \[1, 1, 2\] but the model expects \[1, 1, 1\]/],
    ["a bad length", "data.json", { ...data, lengths: [9] }, /lengths\[0\] is 9/],
  ])("rejects %s with one line naming the file and field", (_what, name, content, message) => {
    const bad = file(`bad-${name}`, content);
    const paths: Record<string, string> = { "model.json": file("model.json"), "weights.json": file("weights.json"), "data.json": file("data.json") };
    paths[name] = bad;
    const r = runCli(["run", "--model", paths["model.json"], "--weights", paths["weights.json"], "--data", paths["data.json"], "--out", file("never.json")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("grad with --k1/--k2 lists each window", () => {
    const r = runCli([
      "grad",
      "--model",
      file("model.json"),
      "--weights",
      file("weights.json"),
      "--data",
      file("data.json"),
      "--out",
      file("grad.json"),
      "--dtype",
      "float64",
      "--k1",
      "2",
      "--k2",
      "3",
    ]);
    expect(r.status).toBe(0);
    const g = read("grad.json");
    expect(g.windows.map((w: { start: number; end: number; lossStart: number }) => [w.start, w.end, w.lossStart])).toEqual([
      [0, 2, 0],
      [1, 4, 2],
    ]);
    // the loss is the mean over the 4 counted steps (2 in each window), the loss of one forward pass; grads are the windows' sum
    expect(g.loss).toBeCloseTo((g.windows[0].loss + g.windows[1].loss) / 2, 12);
    expect(g.loss).toBeCloseTo(reference().loss, 12);
    const sum = g.windows[0].grads["head.b"][0] + g.windows[1].grads["head.b"][0];
    expect(g.grads["head.b"][0]).toBeCloseTo(sum, 12);
    expect(Object.keys(g.inputGrads).sort()).toEqual(["layers.0.h", "x"]);
    // gradient flow per window, over its span
    expect(g.deltaNorms.map((w: { start: number; end: number; states: Record<string, number[]> }) => [w.start, w.end, w.states["layers.0.h"].length])).toEqual([
      [0, 2, 2],
      [1, 4, 3],
    ]);
  });

  it("grad reports gradient flow: |dL/dh_t| at each step is the seed's delta recursion, and each parameter's gradient norm", () => {
    const r = runCli([
      "grad",
      "--model",
      file("model.json"),
      "--weights",
      file("weights.json"),
      "--data",
      file("data.json"),
      "--out",
      file("flow.json"),
      "--dtype",
      "float64",
    ]);
    expect(r.status).toBe(0);
    const { hs, outputs } = reference();
    const T = hs.length;
    // dL/dh_t = d_out_t W_out + dL/dh_{t+1} (1 - h_{t+1}^2) W_re, with d_out_t = 2 (v_t - y_t) / T
    const dh = new Array<number>(T).fill(0);
    for (let t = T - 1; t >= 0; t--) {
      const dOut = (2 * (outputs[t] - data.y[t][0][0])) / T;
      dh[t] = dOut * 2 + (t + 1 < T ? dh[t + 1] * (1 - hs[t + 1] ** 2) * -0.25 : 0);
    }
    const [w] = read("flow.json").deltaNorms;
    expect([w.start, w.end, w.lossStart]).toEqual([0, T, 0]);
    w.states["layers.0.h"].forEach((n: number, t: number) => expect(n).toBeCloseTo(Math.abs(dh[t]), 12));
    expect(w.gradNorms["head.b"]).toBeCloseTo(Math.abs(read("flow.json").grads["head.b"][0]), 12);
  });

  it("train lowers the loss, logs JSON lines and saves weights atomically", () => {
    const r = runCli([
      "train",
      "--model",
      file("model.json"),
      "--seed",
      "3",
      "--data",
      file("data.json"),
      "--save",
      file("trained.json"),
      "--optimizer",
      "adam",
      "--lr",
      "0.05",
      "--epochs",
      "40",
      "--log",
      file("log.jsonl"),
      "--quiet",
    ]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = readFileSync(file("log.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(40);
    expect(lines[39].loss).toBeLessThan(lines[0].loss / 2);
    expect(lines[0].deltaNorms["layers.0.h"]).toHaveLength(4);
    expect(Object.keys(lines[0].gradNorms).sort()).toEqual(Object.keys(weights).sort());
    expect(Object.keys(read("trained.json")).sort()).toEqual(Object.keys(weights).sort());
    expect(readdirSync(dir).filter((f) => f.startsWith("trained.json") && f !== "trained.json")).toEqual([]);
  });
});

describe("unroll CLI errors beyond the input files", () => {
  const ce = { input: 1, layers: [{ cell: "gru", hidden: 2, bidirectional: true }], head: { units: 3, activation: "softmax" }, loss: "cross_entropy" };

  it("rejects class ids outside the classes, naming the entry", () => {
    const data = file("ce-data.json", { x: [[[1]], [[2]]], y: [[0], [3]] });
    const r = runCli([
      "train",
      "--model",
      file("ce.json", ce),
      "--seed",
      "1",
      "--data",
      data,
      "--save",
      file("ce-w.json"),
      "--optimizer",
      "sgd",
      "--lr",
      "0.1",
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/y\[1\]\[0\] is 3, but class ids must be integers from 0 to 2/);
  });

  it("rejects token ids outside an embedding's vocab, naming the step and row", () => {
    const spec = {
      input: 4,
      embedding: { vocab: 4, units: 2 },
      layers: [{ cell: "rnn", hidden: 2 }],
      head: { units: 4, activation: "softmax" },
      loss: "cross_entropy",
    };
    const args = (x: unknown) => [
      "train",
      "--model",
      file("emb.json", spec),
      "--seed",
      "1",
      "--data",
      file("emb-data.json", {
        x,
        y: [
          [0, 1],
          [2, 3],
        ],
      }),
      "--save",
      file("emb-w.json"),
      "--optimizer",
      "sgd",
      "--lr",
      "0.1",
    ];
    const bad = runCli(
      args([
        [0, 3],
        [4, 1],
      ]),
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/x\[1\]\[0\] \(step 1, row 0\) is 4, but token ids must be integers from 0 to 3: the table "embedding.table" has 4 rows/);
    const good = runCli(
      args([
        [0, 3],
        [2, 1],
      ]),
    );
    expect(good.status, good.stderr).toBe(0);
    expect(Object.keys(read("emb-w.json"))).toContain("embedding.table");
  });

  it("rejects truncation of a bidirectional model in one line", () => {
    const data = file("ce-data2.json", { x: [[[1]], [[2]], [[3]]], y: [[0], [1], [2]] });
    const r = runCli([
      "train",
      "--model",
      file("ce.json", ce),
      "--seed",
      "1",
      "--data",
      data,
      "--save",
      file("ce-w.json"),
      "--optimizer",
      "sgd",
      "--lr",
      "0.1",
      "--truncate",
      "2",
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unroll: truncated BPTT needs a causal model/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("rejects an option the chosen optimizer does not take (the optimizer is made by name in @unroll/bptt)", () => {
    const r = runCli([
      "train",
      "--model",
      file("model.json"),
      "--seed",
      "1",
      "--data",
      file("data.json"),
      "--save",
      file("x.json"),
      "--optimizer",
      "sgd",
      "--lr",
      "0.1",
      "--beta1",
      "0.8",
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("unroll: --optimizer sgd: the sgd optimizer takes no beta1; it takes lr, weightDecay\n");
  });

  it("names the backends of the registry in @unroll/backends, and takes --workers only for the pool, --threads only for wasm", () => {
    const common = ["run", "--model", file("model.json"), "--data", file("data.json"), "--weights", file("weights.json"), "--out", file("o.json")];
    const unknown = runCli([...common, "--backend", "gpu"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe('unroll: unknown backend "gpu"; available: cpu, wasm, workers\n');
    const cpuWorkers = runCli([...common, "--backend", "cpu", "--workers", "2"]);
    expect(cpuWorkers.status).toBe(2);
    expect(cpuWorkers.stderr).toBe('unroll: --workers applies to --backend workers only, not "cpu"\n');
    const cpuThreads = runCli([...common, "--backend", "workers", "--threads", "2"]);
    expect(cpuThreads.status).toBe(2);
    expect(cpuThreads.stderr).toBe('unroll: --threads applies to --backend wasm only, not "workers"\n');
    const zero = runCli([...common, "--backend", "wasm", "--threads", "0"]);
    expect(zero.stderr).toBe('unroll: --threads must be a positive integer, got "0"\n');
  });

  it("runs on --backend wasm --threads 2 with the cpu backend's outputs, to float32 rounding", async () => {
    const common = ["run", "--model", file("model.json"), "--data", file("data.json"), "--weights", file("weights.json"), "--quiet"];
    const cpu = await runCliInProcess([...common, "--out", file("cpu.json")]);
    const wasm = await runCliInProcess([...common, "--out", file("wasm.json"), "--backend", "wasm", "--threads", "2"]);
    expect([cpu.status, wasm.status, wasm.stderr]).toEqual([0, 0, ""]);
    const flat = (f: string): number[] => (JSON.parse(readFileSync(file(f), "utf8")).outputs as unknown[]).flat(3) as number[];
    const reference = flat("cpu.json");
    expect(reference.length).toBeGreaterThan(0);
    flat("wasm.json").forEach((v, i) => expect(Math.abs(v - reference[i])).toBeLessThan(1e-5 * (1 + Math.abs(reference[i]))));
  });

  it("offers only the backends that run in Node: webgpu is refused at once, saying where it runs", async () => {
    const help = await runCliInProcess(["run", "--help"]);
    expect(help.stdout.replace(/\s+/g, " ")).toMatch(/backend: cpu \(.*\), or wasm \(.*\), or workers \(.*\) \(default: "cpu"\)/);
    expect(help.stdout).not.toContain("webgpu");
    const common = ["run", "--model", file("model.json"), "--data", file("data.json"), "--weights", file("weights.json"), "--out", file("o.json")];
    const webgpu = await runCliInProcess([...common, "--backend", "webgpu"]);
    expect(webgpu.status).toBe(2);
    expect(webgpu.stderr).toBe(
      'unroll: backend "webgpu" cannot run here: it needs WebGPU (navigator.gpu), which this runtime lacks; it runs in a browser with WebGPU, as in the web demo (npm run web)\n',
    );
  });

  it("exits 2 on an unknown option", () => {
    const r = runCli(["run", "--model", "m.json", "--data", "d.json", "--weights", "w.json", "--out", "o.json", "--bogus"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
  });
});
