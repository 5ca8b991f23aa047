import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GraphBuilder } from "@unroll/ir";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "unroll-summary-"));
const file = (name: string, value: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(value));
  return p;
};

// I = 3, a bidirectional lstm of H = 8 (one bias per gate, as the cells here have), an rnn of 4 on its 16-wide output, a dense head of 2
const I = 3;
const spec = {
  input: I,
  layers: [
    { cell: "lstm", hidden: 8, bidirectional: true },
    { cell: "rnn", hidden: 4, direction: "reverse" },
  ],
  head: { units: 2, activation: "softmax" },
  loss: "cross_entropy",
};
const lstm = 2 * (4 * 8 * (I + 8) + 4 * 8); // 2 directions × (4H·(I + H) weights + 4H biases)
const rnn = 4 * (16 + 4) + 4;
const head = 4 * 2 + 2;

interface Summary {
  layers: { name: string; type: string; output: string; count: number; bytes: { float32: number; float64: number }; params: { name: string }[] }[];
  count: number;
  bytes: { float32: number; float64: number };
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  loss: string | null;
}

describe("unroll summary", () => {
  it("--json: each layer's type, per-step output, parameter count and bytes, and the totals, from a model spec", () => {
    const r = runCli(["summary", "--model", file("spec.json", spec), "--json"]);
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.layers.map((l) => [l.name, l.type, l.output, l.count])).toEqual([
      ["layers.0", "lstm 8 bidirectional", "[B, 16]", lstm],
      ["layers.1", "rnn 4 reverse", "[B, 4]", rnn],
      ["head", "dense 2 softmax", "[B, 2]", head],
    ]);
    expect(s.layers[0].params.map((p) => p.name)).toEqual([
      "layers.0.W_in",
      "layers.0.W_re",
      "layers.0.b",
      "layers.0.W_in_reverse",
      "layers.0.W_re_reverse",
      "layers.0.b_reverse",
    ]);
    for (const l of s.layers) expect(l.bytes).toEqual({ float32: 4 * l.count, float64: 8 * l.count });
    expect(s.count).toBe(lstm + rnn + head);
    expect(s.bytes).toEqual({ float32: 4 * (lstm + rnn + head), float64: 8 * (lstm + rnn + head) });
    expect(s.inputs).toEqual({ x: "[B, 3]", y: "[B]" });
    expect(s.outputs).toEqual({ output: "[B, 2]" });
    expect(s.loss).toBe("cross_entropy");
  });

  it("prints a table with a row per layer and per parameter, and the totals in both precisions", () => {
    const r = runCli(["summary", "--model", file("spec.json", spec)]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^Layer +Type +Output \(per step\) +Params +float32 +float64$/);
    expect(lines).toContainEqual(expect.stringMatching(/^layers\.0 +lstm 8 bidirectional +\[B, 16\] +768 +3,072 B \(3\.0 KiB\) +6,144 B \(6\.0 KiB\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}layers\.0\.W_re +\[8, 32\] +256$/));
    expect(r.stdout).toContain(`Total params: ${lstm + rnn + head}\n  float32: 3,448 B (3.4 KiB)\n  float64: 6,896 B (6.7 KiB)\n`);
  });

  it("a step graph: its parameters by name prefix, its states as the output column", () => {
    const b = new GraphBuilder();
    const x = b.input("x", ["B", 2]);
    const h = b.carry("cell.h", ["B", 5]);
    const hNext = b.tanh(b.add(b.matmul(x, b.param("cell.W", [2, 5])), b.matmul(h, b.param("cell.U", [5, 5]))));
    b.update(h, hNext);
    b.output("o", b.matmul(hNext, b.param("V", [5, 1])));
    const r = runCli(["summary", "--model", file("graph.json", b.toGraph("custom")), "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.layers.map((l) => [l.name, l.type, l.output, l.count])).toEqual([
      ["cell", "params", "cell.h [B, 5]", 10 + 25],
      ["(graph)", "params", "-", 5],
    ]);
    expect(s.loss).toBeNull();
  });

  it("an invalid model: exit 2, one line naming the file", () => {
    const r = runCli(["summary", "--model", file("bad.json", { input: 3, layers: [] })]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^unroll: .*bad\.json: .*at least one layer/);
  });
});
