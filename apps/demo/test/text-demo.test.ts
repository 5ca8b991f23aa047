import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lineNames, reportCharts, selfContained } from "./report-charts.js";
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

  it("writes a self-contained HTML report with the loss chart, the last window's gradient flow and the samples", () => {
    expect(r.stdout).toContain(`Report: ${report}`);
    const html = readFileSync(report, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(selfContained(html)).toBe(true);
    const [loss, flow] = reportCharts(html);
    expect(loss.data[0]).toHaveLength(80);
    expect(loss.data[1]).toEqual(JSON.parse(readFileSync(checkpoint, "utf8")).losses);
    // the GRU's one state over the last window of 16 steps, every norm drawn (none is 0)
    expect(lineNames(flow)).toEqual(["layers.0.h"]);
    expect(flow.data[0]).toEqual(Array.from({ length: 16 }, (_, k) => k));
    expect(flow.data[1].every((v) => v !== null && v > 0)).toBe(true);
    expect(html).toContain("step 40");
  });
});
