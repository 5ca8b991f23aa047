import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lineNames, reportCharts, selfContained } from "./report-charts.js";
import { numberAfter, runDemo } from "./run-demo.js";

const dir = mkdtempSync(join(tmpdir(), "unroll-demo-copy-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the copy task", () => {
  // every method on a small budget: plumbing only, no learning expected
  const r = runDemo(["--task", "copy", "--steps", "12", "--lag", "6", "--window", "2", "--symbols", "3", "--seed", "2"], dir);
  const labels = ["full BPTT", "truncated BPTT \\(K = 2\\)", "RTRL", "SnAp-1, online \\(update every step\\)"];

  it("exits 0", () => {
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("runs every method by default on the same batches, and prints a line with each one's final recall accuracy", () => {
    for (const label of labels) expect(r.stdout).toMatch(new RegExp(`^${label}: recall accuracy \\d+\\.\\d% .* after 12 batches`, "m"));
    // sequences of 7 steps: truncated BPTT updates once per window of 2, four times per batch
    expect(r.stdout).toMatch(/^ {2}full BPTT +\d+\.\d% +12 batches +12 updates/m);
    expect(r.stdout).toMatch(/^ {2}truncated BPTT \(K = 2\) +\d+\.\d% +12 batches +48 updates/m);
    expect(r.stdout).toMatch(/^ {2}RTRL +\d+\.\d% +12 batches +12 updates/m);
    // SnAp-1 updates at every step: 7 per batch
    expect(r.stdout).toMatch(/^ {2}SnAp-1, online \(update every step\) +\d+\.\d% +12 batches +84 updates/m);
    expect(r.stdout).toContain("chance 33.3%");
  });

  it("writes a report to demo-output/ with the methods' learning curves side by side", () => {
    const report = join(dir, "demo-output", "copy-report.html");
    expect(r.stdout).toContain(`Report: ${report}`);
    const html = readFileSync(report, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    // accuracy and recall loss, each with a chance line and one line per method
    const charts = reportCharts(html);
    expect(charts).toHaveLength(2);
    const methods = ["full BPTT: 12 updates", "truncated BPTT (K = 2): 48 updates", "RTRL: 12 updates", "SnAp-1, online (update every step): 84 updates"];
    for (const chart of charts) expect(lineNames(chart)).toEqual(["chance", ...methods]);
    expect(selfContained(html)).toBe(true);
  });

  it("runs one method with --method, and RTRL online with --update-every", () => {
    const report = join(dir, "online.html");
    const online = runDemo(["--task", "copy", "--method", "rtrl", "--update-every", "3", "--steps", "4", "--lag", "6", "--report", report], dir);
    expect(online.stderr).toBe("");
    expect(online.status).toBe(0);
    // 7 steps in windows of 3: three updates per batch
    expect(online.stdout).toMatch(/^RTRL, online \(update every 3 steps\): recall accuracy .* after 4 batches, 12 updates/m);
    expect(online.stdout).not.toContain("BPTT");
    expect(existsSync(report)).toBe(true);
  });

  it("learns the recall across 12 steps with RTRL and online SnAp-1, and not with truncated BPTT of window 4 (default seed)", () => {
    // measured: RTRL 100% (≥ 90% from batch 322 on), SnAp-1 100% (from batch 200), truncated BPTT 48.5%, the same on every run (everything is seeded)
    const report = join(dir, "learn.html");
    const rtrl = runDemo(["--task", "copy", "--method", "rtrl", "--steps", "400", "--report", report], dir);
    const snap = runDemo(["--task", "copy", "--method", "snap1", "--steps", "400", "--report", report], dir);
    const tbptt = runDemo(["--task", "copy", "--method", "tbptt", "--steps", "400", "--report", report], dir);
    expect(rtrl.status).toBe(0);
    expect(snap.status).toBe(0);
    expect(tbptt.status).toBe(0);
    expect(numberAfter(rtrl.stdout, "RTRL: recall accuracy")).toBeGreaterThan(90);
    expect(numberAfter(snap.stdout, "SnAp-1, online \\(update every step\\): recall accuracy")).toBeGreaterThan(90);
    expect(numberAfter(tbptt.stdout, "truncated BPTT \\(K = 4\\): recall accuracy")).toBeLessThan(70);
  });

  it("rejects options that do not apply", () => {
    const fails = (args: string[], message: string) => {
      const f = runDemo(args, dir);
      expect(f.status).toBe(2);
      expect(f.stderr).toContain(message);
    };
    fails(["--task", "copy", "--save", "x.json"], "--save does not apply to the copy task");
    fails(["--task", "copy", "--time", "5"], "--time does not apply to the copy task");
    fails(["--task", "sine", "--lag", "5"], "--lag applies to the copy task only");
    fails(["--task", "copy", "--method", "bptt", "--update-every", "2"], "--update-every applies to RTRL");
    fails(["--task", "copy", "--lag", "6", "--window", "8"], "--window 8 spans the recall");
  });
});
