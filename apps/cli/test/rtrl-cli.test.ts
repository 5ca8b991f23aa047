import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "unroll-rtrl-cli-"));
const file = (name: string, value?: unknown): string => {
  const p = join(dir, name);
  if (value !== undefined) writeFileSync(p, JSON.stringify(value));
  return p;
};
const read = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));

const model = file("model.json", { input: 2, layers: [{ cell: "lstm", hidden: 3 }], head: { units: 1, activation: "linear" }, loss: "mse" });
const x = Array.from({ length: 8 }, (_, t) => [
  [Math.sin(t), Math.cos(t)],
  [0.5 * t - 1, 0.25],
]);
const data = file("data.json", { x, y: x.map((rows) => rows.map(([a, b]) => [a * b])) });
const args = (cmd: string, ...more: string[]): string[] => [cmd, "--model", model, "--data", data, "--dtype", "float64", ...more];

describe("unroll --method rtrl", () => {
  it("grad gives full BPTT's loss, outputs and gradients", () => {
    const weights = file("w.json");
    // weights from a seed, saved untouched (lr 0)
    expect(runCli(args("train", "--seed", "2", "--save", weights, "--optimizer", "sgd", "--lr", "0", "--quiet")).status).toBe(0);
    expect(runCli(args("grad", "--weights", weights, "--out", file("bptt.json"))).status).toBe(0);
    const r = runCli(args("grad", "--weights", weights, "--out", file("rtrl.json"), "--method", "rtrl"));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const [a, b] = [read("rtrl.json"), read("bptt.json")];
    expect(a.method).toBe("rtrl");
    expect(a.loss).toBeCloseTo(b.loss, 12);
    expect(a.outputs).toEqual(b.outputs);
    for (const name of Object.keys(b.grads)) {
      const [ga, gb] = [a.grads[name].flat(2) as number[], b.grads[name].flat(2) as number[]];
      ga.forEach((v, i) => expect(Math.abs(v - gb[i])).toBeLessThanOrEqual(1e-13 + 1e-10 * Math.abs(gb[i])));
    }
    expect(a.inputGrads).toBeUndefined();
  });

  it("train --online 1 updates at every step", () => {
    const r = runCli(
      args(
        "train",
        "--seed",
        "1",
        "--save",
        file("online.json"),
        "--optimizer",
        "sgd",
        "--lr",
        "0.05",
        "--method",
        "rtrl",
        "--online",
        "1",
        "--epochs",
        "2",
        "--log",
        file("online.jsonl"),
        "--quiet",
      ),
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = readFileSync(file("online.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(2 * 8);
  });

  it("train --method snap1 --online 1 and grad --method snap1 run the sparse approximation", () => {
    const r = runCli(
      args("train", "--seed", "1", "--save", file("snap.json"), "--optimizer", "sgd", "--lr", "0.05", "--method", "snap1", "--online", "1", "--quiet"),
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const g = runCli(args("grad", "--weights", file("snap.json"), "--out", file("snap-grad.json"), "--method", "snap1"));
    expect(g.status).toBe(0);
    expect(read("snap-grad.json").method).toBe("snap1");
  });

  it.each([
    [["--truncate", "2"], /--method rtrl computes the gradient of the whole sequence as it goes, with no truncation: --truncate does not apply/],
    [["--k1", "2", "--k2", "3"], /--k1\/--k2 does not apply/],
    [["--checkpoint", "2"], /--checkpoint does not apply to --method rtrl/],
  ])("exits 2 on %j with --method rtrl", (extra, message) => {
    const r = runCli(args("train", "--seed", "1", "--save", file("x.json"), "--optimizer", "sgd", "--lr", "0.1", "--method", "rtrl", ...(extra as string[])));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 on a bidirectional model, on --online without rtrl, and over --max-memory", () => {
    const bi = file("bi.json", { input: 2, layers: [{ cell: "rnn", hidden: 2, bidirectional: true }], head: { units: 1, activation: "linear" }, loss: "mse" });
    const base = ["--data", data, "--seed", "1", "--save", file("y.json"), "--optimizer", "sgd", "--lr", "0.1"];
    const a = runCli(["train", "--model", bi, ...base, "--method", "rtrl"]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/RTRL needs a causal model/);
    const b = runCli(["train", "--model", model, ...base, "--online", "2"]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--online N updates during the sequence by RTRL: give --method rtrl/);
    const c = runCli(["train", "--model", model, ...base, "--method", "rtrl", "--max-memory", "0.001"]);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/RTRL would need [\d.]+ KiB .* above the memory budget of 1.0\d? KiB/);
  });
});
