import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { numberAfter, runDemo } from "./run-demo.js";

const dir = mkdtempSync(join(tmpdir(), "unroll-demo-text-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the text demo", () => {
  // a small GRU for 80 steps; the loss starts at ln 59 = 4.08 and reaches about 2.46
  const report = join(dir, "report.html");
  const checkpoint = join(dir, "model.json");
  const r = runDemo(
    ["--steps", "80", "--seed", "1", "--hidden", "64", "--batch", "8", "--window", "16", "--sample-every", "40", "--save", checkpoint, "--report", report],
    dir,
  );

  it("exits 0", () => {
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("learns: the loss falls below the text's unigram entropy (3.12 nats)", () => {
    expect(numberAfter(r.stdout, "Loss:")).toBeGreaterThan(3.9);
    expect(numberAfter(r.stdout, "final loss")).toBeLessThan(2.8);
  });

  it("prints a sample every 40 steps", () => {
    expect(r.stdout).toMatch(/^step +40 \| loss [0-9.]+ \| .+$/m);
    expect(r.stdout).toMatch(/^step +80 \| loss [0-9.]+ \| .+$/m);
  });

  it("runs exactly the steps asked for", () => {
    expect(JSON.parse(readFileSync(checkpoint, "utf8")).step).toBe(80);
    expect(r.stdout).toContain("Trained 80 steps");
  });

  it("writes a self-contained HTML report with a loss chart and the samples", () => {
    expect(r.stdout).toContain(`Report: ${report}`);
    const html = readFileSync(report, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("<svg");
    expect(html).toContain("<polyline");
    expect(html).toContain("step 40");
    expect(html).not.toMatch(/<script|<link|src=/);
  });
});
