import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lineNames, reportCharts, selfContained } from "./report-charts.js";
import { numberAfter, runDemo } from "./run-demo.js";

describe("the sine task", () => {
  it("learns one-step-ahead prediction and plots it in demo-output/ of the working directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "unroll-demo-sine-"));
    const r = runDemo(["--task", "sine", "--steps", "100", "--seed", "1"], dir);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    // measured: 0.023 after 100 steps, against 0.078 for repeating the last value
    const mse = numberAfter(r.stdout, "prediction MSE");
    const naive = numberAfter(r.stdout, "repeating the last value scores");
    expect(mse).toBeLessThan(0.04);
    expect(mse).toBeLessThan(naive / 2);
    const report = join(dir, "demo-output", "sine-report.html");
    expect(existsSync(report)).toBe(true);
    const html = readFileSync(report, "utf8");
    expect(selfContained(html)).toBe(true);
    const [wave, loss] = reportCharts(html);
    expect(lineNames(wave)).toEqual(["observed (noisy)", "clean wave", "prediction"]);
    expect(wave.data[0]).toHaveLength(120);
    expect(loss.data[1]).toHaveLength(100);
    rmSync(dir, { recursive: true, force: true });
  });

  it("rejects options of the text task", () => {
    const r = runDemo(["--task", "sine", "--save", "x.json"], tmpdir());
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--save applies to the text task only");
  });
});
