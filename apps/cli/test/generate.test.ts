import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "unroll-generate-"));
const path = (name: string): string => join(dir, name);
const example = (name: string): string => fileURLToPath(new URL(`../examples/sine/${name}`, import.meta.url));
const sine = JSON.parse(readFileSync(example("data.json"), "utf8")) as { x: number[][][]; y: number[][][] };

/** RMSE of the generated steps against the clean wave: y[t] is the clean wave at t + 1, so step P + k is y[P - 1 + k]. */
function rmse(generated: number[][][], prime: number, of: (k: number, row: number) => number = (k, row) => generated[k][row][0]): number {
  let sum = 0;
  let n = 0;
  generated.forEach((step, k) =>
    step.forEach((_, row) => {
      sum += (of(k, row) - sine.y[prime - 1 + k][row][0]) ** 2;
      n++;
    }),
  );
  return Math.sqrt(sum / n);
}

const P = 40;
const N = 20;

describe("unroll generate continues the sine example's waves", () => {
  beforeAll(() => {
    // the example's own training command (README): a GRU of 16, 200 epochs of truncated BPTT
    const r = runCli([
      "train",
      ...["--model", example("model.json"), "--data", example("data.json"), "--seed", "1", "--optimizer", "adam", "--lr", "0.01"],
      ...["--epochs", "200", "--truncate", "20", "--save", path("weights.json"), "--quiet"],
    ]);
    expect(r.status, r.stderr).toBe(0);
  }, 60_000);

  it(`primed with ${P} noisy steps, ${N} free-running steps stay on the clean wave (RMSE < 0.3; measured 0.209)`, () => {
    const r = runCli([
      "generate",
      ...["--model", example("model.json"), "--weights", path("weights.json"), "--prime", example("data.json"), "--prime-steps", String(P)],
      ...["--steps", String(N), "--out", "-"],
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^generate: 20 steps after a prime of 40, outputs fed back; inputs \[20, 8, 1\], outputs \[20, 8, 1\]; \d+\.\d+ s\n$/);
    const g = JSON.parse(r.stdout) as { inputs: number[][][]; outputs: number[][][] };
    // each output is fed back as the next step's input
    for (let k = 1; k < N; k++) expect(g.inputs[k]).toEqual(g.outputs[k - 1]);
    const error = rmse(g.inputs, P);
    expect(error).toBeLessThan(0.3);
    // holding the last primed value scores 1.11: the model does continue the wave
    const hold = rmse(g.inputs, P, (_, row) => sine.y[P - 2][row][0]);
    expect(hold).toBeGreaterThan(1);
    expect(error).toBeLessThan(hold / 3);
  });

  it("the untrained weights do not pass the same bound", () => {
    const r = runCli([
      "train",
      "--model",
      example("model.json"),
      "--data",
      example("data.json"),
      "--seed",
      "1",
      "--optimizer",
      "sgd",
      "--lr",
      "0",
      "--save",
      path("fresh.json"),
      "--quiet",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const g = runCli([
      "generate",
      ...["--model", example("model.json"), "--weights", path("fresh.json"), "--prime", example("data.json"), "--prime-steps", String(P)],
      ...["--steps", String(N), "--out", path("fresh-out.json"), "--quiet"],
    ]);
    expect(g.status, g.stderr).toBe(0);
    expect(g.stdout + g.stderr).toBe("");
    const out = JSON.parse(readFileSync(path("fresh-out.json"), "utf8")) as { inputs: number[][][] };
    expect(rmse(out.inputs, P)).toBeGreaterThan(0.3);
  });

  it("refuses what it cannot do, naming what is valid", () => {
    const args = ["generate", "--model", example("model.json"), "--weights", path("weights.json"), "--prime", example("data.json"), "--out", "-"];
    const temperature = runCli([...args, "--steps", "3", "--temperature", "-1"]);
    expect(temperature.stderr).toBe('unroll: --temperature must be a number ≥ 0, got "-1"\n');
    const steps = runCli([...args, "--steps", "0"]);
    expect(steps.stderr).toBe('unroll: --steps must be a positive integer, got "0"\n');
    // an input of 2 and an output of 1: the output cannot be the next input
    writeFileSync(path("wide.json"), JSON.stringify({ input: 2, layers: [{ cell: "rnn", hidden: 2 }], head: { units: 1, activation: "linear" } }));
    const weights = {
      "layers.0.W_in": [
        [1, 0],
        [0, 1],
      ],
      "layers.0.W_re": [
        [0, 0],
        [0, 0],
      ],
      "layers.0.b": [0, 0],
      "head.W": [[1], [1]],
      "head.b": [0],
    };
    writeFileSync(path("wide-weights.json"), JSON.stringify(weights));
    writeFileSync(path("wide-prime.json"), JSON.stringify([[[1, 2]], [[3, 4]]]));
    const wide = runCli([
      "generate",
      "--model",
      path("wide.json"),
      "--weights",
      path("wide-weights.json"),
      "--prime",
      path("wide-prime.json"),
      "--steps",
      "2",
      "--out",
      "-",
    ]);
    expect(wide.status).toBe(2);
    expect(wide.stderr).toBe('unroll: regression feeds the output back as the next input: the output is [B, 1] but the input "x" is [B, 2]; they must match\n');
  });
});
