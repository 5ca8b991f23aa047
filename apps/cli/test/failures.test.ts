import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { NonFiniteError } from "@unroll/bptt";
import { WorkerError } from "@unroll/backend-workers";
import { runUnroll, type CliIo } from "../src/cli.js";
import { failureOf } from "../src/failure.js";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "unroll-failures-"));
const file = (name: string, value: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(value));
  return p;
};
const model = file("model.json", { input: 1, layers: [{ cell: "rnn", hidden: 2 }], head: { units: 1, activation: "linear" }, loss: "mse" });
const noLoss = file("no-loss.json", { input: 1, layers: [{ cell: "rnn", hidden: 2 }], head: { units: 1, activation: "linear" } });
const data = file("data.json", { x: [[[1]], [[2]]], y: [[[0]], [[1]]] });
const train = ["train", "--model", model, "--data", data, "--seed", "1", "--optimizer", "sgd", "--lr", "0.1", "--quiet"];

/** Runs the CLI in this process, capturing what it writes. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await runUnroll(args, io);
  return { code, stdout, stderr };
}

describe("every failure is one line and an exit code, never a stack trace", () => {
  it("a missing option prints the one error and where to look, not the whole help (exit 2)", async () => {
    const r = await inProcess(["train", "--model", model, "--data", data, "--seed", "1", "--lr", "0.1", "--save", join(dir, "w.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("unroll: required option '--optimizer <name>' not specified\n(add --help for the options)\n");
  });

  it("in-process, the commands write through the given io, nothing to the process's streams", async () => {
    const stray = vi.spyOn(process.stdout, "write");
    try {
      const plan = await inProcess(["plan", "--model", model, "--data", data]);
      const viz = await inProcess(["viz", "--model", model, "--out", join(dir, "m.svg")]);
      const trained = await inProcess([...train.filter((a) => a !== "--quiet"), "--save", join(dir, "io.json")]);
      expect(plan).toMatchObject({ code: 0, stderr: "" });
      expect(plan.stdout).toContain("window");
      expect(viz).toMatchObject({ code: 0, stdout: `wrote ${join(dir, "m.svg")}: Step graph of model.json\n` });
      expect(trained.code).toBe(0);
      expect(trained.stderr).toMatch(/^trained 1 steps: loss .* -> .*; weights saved to /m);
      expect(stray).not.toHaveBeenCalled();
    } finally {
      stray.mockRestore();
    }
  });

  it("--help still prints the help (exit 0)", async () => {
    const r = await inProcess(["train", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--optimizer <name>");
  });

  it("errors of the engine's kinds keep their exit codes; anything else is exit 1 and says it is a defect", () => {
    const site = { node: "layers.0.gates", op: "matmul", step: 3, stage: 0, pass: "forward" as const };
    expect(failureOf(new NonFiniteError(site, NaN))).toEqual({
      line: 'NaN first appeared in the forward pass at time step 3, in node "layers.0.gates" (matmul); lower the learning rate, clip gradients, or check the data',
      exitCode: 1,
    });
    expect(failureOf(new WorkerError(1, "died", "worker 1 exited with code 1 during runWindow"))).toEqual({
      line: "worker 1 exited with code 1 during runWindow",
      exitCode: 1,
    });
    expect(failureOf(new RangeError("Array buffer allocation failed"))).toEqual({
      line: "out of memory: Array buffer allocation failed; use smaller sizes, a smaller batch or --truncate/--checkpoint to need less",
      exitCode: 1,
    });
    expect(failureOf(new TypeError("Cannot read properties of undefined (reading 'shape')"))).toEqual({
      line: "internal error: TypeError: Cannot read properties of undefined (reading 'shape') (a defect in unroll; UNROLL_DEBUG=1 prints its stack trace)",
      exitCode: 1,
    });
    expect(failureOf("a string thrown")).toEqual({
      line: "internal error: a string thrown (a defect in unroll; UNROLL_DEBUG=1 prints its stack trace)",
      exitCode: 1,
    });
  });

  it("grad and train on a model without a loss say so (exit 2)", async () => {
    const weights = file("weights.json", {
      "layers.0.W_in": [[1, 1]],
      "layers.0.W_re": [
        [0, 0],
        [0, 0],
      ],
      "layers.0.b": [0, 0],
      "head.W": [[1], [1]],
      "head.b": [0],
    });
    const g = await inProcess(["grad", "--model", noLoss, "--data", data, "--weights", weights, "--out", join(dir, "g.json")]);
    expect(g.code).toBe(2);
    expect(g.stderr).toBe(`unroll: ${noLoss}: the model has no loss; add "loss" to the model spec to compute gradients\n`);
    const rtrl = await inProcess(["grad", "--model", noLoss, "--data", data, "--weights", weights, "--method", "rtrl", "--out", join(dir, "g.json")]);
    expect(rtrl.stderr).toBe(g.stderr);
    const t = await inProcess(["train", "--model", noLoss, "--data", data, "--seed", "1", "--optimizer", "sgd", "--lr", "0.1", "--save", join(dir, "w.json")]);
    expect(t.code).toBe(2);
    expect(t.stderr).toBe(`unroll: ${noLoss}: the model has no loss; add "loss" to the model spec to train it\n`);
    expect(existsSync(join(dir, "g.json")) || existsSync(join(dir, "w.json"))).toBe(false);
  });

  it("a spawned run that fails prints no stack trace", () => {
    const r = runCli([...train, "--save", join(dir, "missing-folder", "w.json")]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("a numeric option's error says what it accepts", () => {
  const cases: [string[], string][] = [
    [["--lr", "abc"], '--lr must be a number ≥ 0, got "abc"'],
    [["--lr", ""], '--lr must be a number ≥ 0, got ""'],
    [["--lr", "-0.1"], '--lr must be a number ≥ 0, got "-0.1"'],
    [["--lr", "0.1", "--epochs", "2.5"], '--epochs must be a positive integer, got "2.5"'],
    [["--lr", "0.1", "--batch-size", "0"], '--batch-size must be a positive integer, got "0"'],
    [["--lr", "0.1", "--clip-norm", "-1"], '--clip-norm must be a number > 0, got "-1"'],
    [["--lr", "0.1", "--weight-decay", "NaN"], '--weight-decay must be a number ≥ 0, got "NaN"'],
    [["--lr", "0.1", "--snapshot-every", "1e400", "--snapshot", join(dir, "s.json")], '--snapshot-every must be a positive integer, got "1e400"'],
  ];
  for (const [options, message] of cases) {
    it(`${options.join(" ")}: exit 2, "${message}"`, async () => {
      const args = ["train", "--model", model, "--data", data, "--seed", "1", "--optimizer", "sgd", "--save", join(dir, "never.json"), ...options];
      const r = await inProcess(args);
      expect(r).toMatchObject({ code: 2, stderr: `unroll: ${message}\n` });
    });
  }

  it("the optimizer's own options, by its rules", async () => {
    const adam = ["train", "--model", model, "--data", data, "--seed", "1", "--optimizer", "adam", "--lr", "0.1", "--save", join(dir, "never.json")];
    expect((await inProcess([...adam, "--beta1", "1"])).stderr).toBe('unroll: --beta1 must be a number in [0, 1), got "1"\n');
    expect((await inProcess([...adam, "--beta2", "-0.5"])).stderr).toBe('unroll: --beta2 must be a number in [0, 1), got "-0.5"\n');
    expect((await inProcess([...adam, "--eps", "0"])).stderr).toBe('unroll: --eps must be a number > 0, got "0"\n');
    expect(existsSync(join(dir, "never.json"))).toBe(false);
  });
});

describe("output paths are checked before any work starts", () => {
  const cases: [string, string[], string][] = [
    [
      "--save in a missing folder",
      [...train, "--save", join(dir, "nope", "w.json")],
      `--save ${join(dir, "nope", "w.json")}: the folder ${join(dir, "nope")} does not exist`,
    ],
    ["--save naming a folder", [...train, "--save", dir], `--save ${dir} is a folder; give a file name`],
    [
      "--log in a missing folder",
      [...train, "--save", join(dir, "w.json"), "--log", join(dir, "nope", "log.jsonl")],
      `--log ${join(dir, "nope", "log.jsonl")}: the folder ${join(dir, "nope")} does not exist`,
    ],
    [
      "run --out in a missing folder",
      ["run", "--model", model, "--data", data, "--weights", "/no/weights.json", "--out", join(dir, "nope", "o.json")],
      `--out ${join(dir, "nope", "o.json")}: the folder ${join(dir, "nope")} does not exist`,
    ],
    [
      "grad --out naming a folder",
      ["grad", "--model", model, "--data", data, "--weights", "/no/weights.json", "--out", dir],
      `--out ${dir} is a folder; give a file name`,
    ],
    [
      "viz --out in a missing folder",
      ["viz", "--model", model, "--out", join(dir, "nope", "m.svg")],
      `--out ${join(dir, "nope", "m.svg")}: the folder ${join(dir, "nope")} does not exist`,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: exit 2 naming the path, before reading the inputs or training`, async () => {
      const r = await inProcess(args);
      expect(r.code).toBe(2);
      // the weights file does not exist either: the path is checked first, so its error is the one reported
      expect(r.stderr).toBe(`unroll: ${message}\n`);
    });
  }

  it("a writable path in an existing folder passes, and the run writes it", async () => {
    mkdirSync(join(dir, "out"), { recursive: true });
    const r = await inProcess([...train, "--save", join(dir, "out", "w.json")]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(existsSync(join(dir, "out", "w.json"))).toBe(true);
  });
});
