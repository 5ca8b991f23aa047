import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

// One model, one data set: run, grad (truncated) and train's first loss (lr 0) must report one number,
// the mean over the counted (step, row) pairs, as a plain loop computes it.
const dir = mkdtempSync(join(tmpdir(), "unroll-loss-"));
const path = (name: string): string => join(dir, name);
const T = 7;
const lengths = [7, 5, 2];
const model = { input: 2, layers: [{ cell: "rnn", hidden: 2 }], head: { units: 2, activation: "linear" }, loss: "mse" };
const W_in = [
  [0.5, -0.3],
  [0.2, 0.4],
];
const W_re = [
  [0.1, -0.6],
  [0.3, 0.2],
];
const b = [0.05, -0.1];
const W = [
  [1.2, -0.7],
  [0.4, 0.9],
];
const c = [0.1, -0.2];
const weights = { "layers.0.W_in": W_in, "layers.0.W_re": W_re, "layers.0.b": b, "head.W": W, "head.b": c };
const x = Array.from({ length: T }, (_, t) => lengths.map((_, r) => [Math.sin(t + r), Math.cos(0.5 * t - r)]));
const y = Array.from({ length: T }, (_, t) => lengths.map((_, r) => [Math.sin(t + r + 1), 0.3 * r - 0.1 * t]));

/** The mean over counted (step, row) pairs of the per-row mse, by a plain loop. */
function referenceMean(): { mean: number; counted: number } {
  let sum = 0;
  let counted = 0;
  lengths.forEach((len, r) => {
    let h = [0, 0];
    for (let t = 0; t < len; t++) {
      const xt = x[t][r];
      h = [0, 1].map((j) => Math.tanh(xt[0] * W_in[0][j] + xt[1] * W_in[1][j] + h[0] * W_re[0][j] + h[1] * W_re[1][j] + b[j]));
      const o = [0, 1].map((k) => h[0] * W[0][k] + h[1] * W[1][k] + c[k]);
      sum += ((o[0] - y[t][r][0]) ** 2 + (o[1] - y[t][r][1]) ** 2) / 2;
      counted++;
    }
  });
  return { mean: sum / counted, counted };
}

const common = () => ["--model", path("model.json"), "--data", path("data.json"), "--dtype", "float64"];

describe("one loss convention: run, grad and train report the mean over counted steps", () => {
  beforeAll(() => {
    writeFileSync(path("model.json"), JSON.stringify(model));
    writeFileSync(path("weights.json"), JSON.stringify(weights));
    writeFileSync(path("data.json"), JSON.stringify({ x, y, lengths }));
  });
  const ref = referenceMean();

  it("run --out -: JSON on stdout with the reference mean, the summary on stderr", () => {
    const r = runCli(["run", ...common(), "--weights", path("weights.json"), "--out", "-"]);
    expect(r.stderr).toMatch(new RegExp(`^run: loss \\S+ \\(mean over ${ref.counted} counted steps × rows\\); outputs \\[7, 3, 2\\]; \\d+\\.\\d+ s\\n$`));
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { loss: number };
    expect(out.loss).toBeCloseTo(ref.mean, 12);
  });

  it("grad --truncate 3: the same loss; grads are the sum of the three windows' gradients", () => {
    const r = runCli(["grad", ...common(), "--weights", path("weights.json"), "--truncate", "3", "--out", path("grad.json")]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(
      new RegExp(
        `^grad: loss \\S+ \\(mean over ${ref.counted} counted steps × rows\\); grads layers\\.0\\.W_in \\[2, 2\\], .*; 3 windows, grads summed; \\d+\\.\\d+ s\\n$`,
      ),
    );
    const g = JSON.parse(readFileSync(path("grad.json"), "utf8")) as {
      loss: number;
      grads: Record<string, number[][] | number[]>;
      windows: { loss: number; grads: Record<string, number[][] | number[]> }[];
    };
    expect(g.loss).toBeCloseTo(ref.mean, 12);
    expect(g.windows).toHaveLength(3);
    // the windows' own losses are their own means: their plain average is another number
    expect(g.windows.reduce((a, w) => a + w.loss, 0) / 3).not.toBeCloseTo(ref.mean, 3);
    for (const [name, grad] of Object.entries(g.grads)) {
      const flat = (v: number[][] | number[]) => v.flat();
      const sum = flat(g.windows[0].grads[name]).map((_, i) => g.windows.reduce((a, w) => a + flat(w.grads[name])[i], 0));
      flat(grad).forEach((v, i) => expect(v).toBeCloseTo(sum[i], 12));
    }
  });

  it("train --lr 0 --truncate 3: the first epoch's loss is the same mean", () => {
    const r = runCli([
      "train",
      ...common(),
      "--weights",
      path("weights.json"),
      "--optimizer",
      "sgd",
      "--lr",
      "0",
      "--truncate",
      "3",
      "--save",
      path("trained.json"),
    ]);
    expect(r.status).toBe(0);
    const m = /^trained 3 steps: loss (\S+) -> (\S+);/m.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    // printed to 5 significant digits
    expect(Math.abs(Number(m![1]) - ref.mean) / ref.mean).toBeLessThan(1e-4);
  });

  it("--quiet prints nothing; without --out - the summary is on stdout", () => {
    const quiet = runCli(["run", ...common(), "--weights", path("weights.json"), "--out", path("run.json"), "--quiet"]);
    expect(quiet.status).toBe(0);
    expect(quiet.stdout + quiet.stderr).toBe("");
    const file = JSON.parse(readFileSync(path("run.json"), "utf8")) as { loss: number };
    expect(file.loss).toBeCloseTo(ref.mean, 12);
  });
});
