import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "unroll-plan-"));
const file = (name: string, value: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(value));
  return p;
};
const model = file("model.json", { input: 1, layers: [{ cell: "gru", hidden: 3 }], head: { units: 1, activation: "linear" }, loss: "mse" });
const T = 6;
const data = file("data.json", { x: Array.from({ length: T }, (_, t) => [[t], [-t]]), y: Array.from({ length: T }, () => [[0], [1]]), lengths: [6, 4] });

describe("unroll plan", () => {
  it("--method rtrl|snap1 prints the window program, its sensitivities and its peak, the same at any length", () => {
    const rtrl = runCli(["plan", "--model", model, "--data", data, "--method", "rtrl", "--online", "3", "--json"]);
    expect(rtrl.stderr).toBe("");
    const a = JSON.parse(rtrl.stdout);
    expect([a.method, a.updateEvery, a.updates]).toEqual(["rtrl", 3, 2]);
    expect(a.program.scans[0].label).toBe("RTRL (masked)");
    const snap = JSON.parse(runCli(["plan", "--model", model, "--data", data, "--method", "snap1", "--json"]).stdout);
    // a gru of 3 units: RTRL keeps 3 numbers per parameter, state and row where SnAp-1 keeps 1
    expect(a.sensitivities).toBe(3 * snap.sensitivities);
    const text = runCli(["plan", "--model", model, "--data", data, "--method", "snap1", "--online", "2"]);
    expect(text.stdout).toContain("6 steps × batch 2, float32, SnAp-1, an update every 2 steps (3 updates), state and sensitivities carried");
    expect(text.stdout).toMatch(/sensitivities: [\d,]+ numbers \([\d.]+ (B|KiB)\), whatever the sequence's length/);
    const refused = runCli(["plan", "--model", model, "--data", data, "--method", "rtrl", "--truncate", "2"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/--method rtrl does not truncate/);
  });

  it("prints the windows, each distinct window program and the peak memory, for truncated BPTT", () => {
    const r = runCli(["plan", "--model", model, "--data", data, "--truncate", "4"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("6 steps × batch 2, float32, 2 windows");
    expect(r.stdout).toContain("window 0: span [0, 4) loss [0, 4)");
    expect(r.stdout).toContain("window 1: span [4, 6) loss [4, 6)");
    // windows of 4 and 2 steps are two programs, plus the forward pass they start from
    expect(r.stdout.match(/^the program of window /gm)).toHaveLength(2);
    expect(r.stdout).toContain("the forward pass over the whole sequence");
    expect(r.stdout).toContain("masked (lengths)");
    expect(r.stdout).toMatch(/estimated peak memory of the run: [\d.]+ KiB \(\d+ bytes\)/);
  });

  it("--json gives the same as data; checkpoints show as recomputed segments", () => {
    const r = runCli(["plan", "--model", model, "--data", data, "--checkpoint", "2", "--json", "--dtype", "float64"]);
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.windows).toEqual([{ start: 0, end: T, lossStart: 0 }]);
    const [{ program, memory }] = plan.programs;
    expect(program.segments).toEqual([
      [0, 2],
      [2, 4],
      [4, 6],
    ]);
    const passes = program.instructions.filter((i: { op: string }) => i.op === "scan").map((i: { pass: string; from: number }) => `${i.pass}@${i.from}`);
    expect(passes).toEqual(["forward@0", "forward@2", "forward@4", "recompute@4", "backward@4", "recompute@2", "backward@2", "recompute@0", "backward@0"]);
    expect(program.scans[0].graph.format).toBe("unroll.graph/1");
    expect(memory.peak).toBe(memory.inputs + memory.buffers + memory.workspace + memory.loop);
    expect(plan.memory.peak).toBe(memory.peak);
  });

  it("a model without a loss is planned forward only, as run runs it", () => {
    const noLoss = file("no-loss.json", { input: 1, layers: [{ cell: "rnn", hidden: 2 }] });
    const r = runCli(["plan", "--model", noLoss, "--data", file("x.json", { x: [[[1]], [[2]]] }), "--json"]);
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.forwardOnly).toBe(true);
    expect(plan.program.gradients).toBe(false);
  });

  it("refuses to truncate a bidirectional model, as grad does (exit 2)", () => {
    const bi = file("bi.json", { input: 1, layers: [{ cell: "rnn", hidden: 2, bidirectional: true }], head: { units: 1, activation: "linear" }, loss: "mse" });
    const r = runCli(["plan", "--model", bi, "--data", data, "--truncate", "2"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("truncated BPTT needs a causal model");
  });
});
