import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { parseBenchArgs } from "./src/args.js";
import { linkNodeModules, prepareBaseline, sameLockFile } from "./src/baseline.js";
import { compareBuilds, comparisonNoise, summarizeSide, verdict, type ComparisonRecord, type SideSummary } from "./src/compare.js";
import type { ChildResult } from "./src/protocol.js";
import { CURRENT_BUILD, runChild } from "./src/run-child.js";
import { interquartileRange, quantile } from "./src/stats.js";
import { selectComparisonSystems, systemByLabel } from "./src/systems.js";
import { formatComparisonTable } from "./src/table.js";
import { workloadById } from "./src/workloads.js";

const root = CURRENT_BUILD.root;
const names = { baseline: "main = abc1234 base", current: "working tree at abc1234 base" };
const ok = (timesMs: number[], peakRssMb = 100, loss = 0.5): ChildResult => ({
  status: "ok",
  timesMs,
  windowMs: [],
  loss,
  firstStepMs: timesMs[0],
  peakRssMb,
  baseRssMb: 50,
});

// the end-to-end pieces need a git checkout whose HEAD installs what this tree has installed (CI's does)
const gitHeadLinkable = ((): boolean => {
  try {
    const headLock = execFileSync("git", ["-C", root, "show", "HEAD:package-lock.json"], { maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "ignore"] });
    return existsSync(join(root, "node_modules")) && headLock.equals(readFileSync(join(root, "package-lock.json")));
  } catch {
    return false;
  }
})();

describe("bench --baseline: arguments", () => {
  it("parses a ref or a directory, with defaults for rounds and install", () => {
    expect(parseBenchArgs(["--baseline", "main"])).toMatchObject({ baseline: "main", baselineInstall: "auto", rounds: 3, quick: false });
    expect(parseBenchArgs(["--baseline", "HEAD~1", "--quick", "--rounds", "5", "--baseline-install", "ci"])).toMatchObject({
      baseline: "HEAD~1",
      rounds: 5,
      baselineInstall: "ci",
      quick: true,
    });
    expect(parseBenchArgs(["--baseline", "main", "--quick"])?.rounds).toBe(2);
    const dir = parseBenchArgs(["--baseline-dir", "../other", "--only", "W1,W4", "--systems", "unroll/cpu"]);
    expect(dir).toMatchObject({ baselineDir: "../other", only: ["W1", "W4"], systems: ["unroll/cpu"] });
    expect(dir?.baseline).toBeUndefined();
    expect(parseBenchArgs(["--quick"])?.baseline).toBeUndefined();
  });

  it("rejects contradictions instead of ignoring them", () => {
    expect(() => parseBenchArgs(["--baseline", "main", "--baseline-dir", "x"])).toThrow(/not both/);
    expect(() => parseBenchArgs(["--rounds", "3"])).toThrow(/--rounds needs --baseline/);
    expect(() => parseBenchArgs(["--baseline-install", "link"])).toThrow(/needs --baseline/);
    expect(() => parseBenchArgs(["--baseline-dir", "x", "--baseline-install", "ci"])).toThrow(/already be installed/);
    expect(() => parseBenchArgs(["--baseline", "main", "--baseline-install", "copy"])).toThrow(/auto, link or ci/);
    expect(() => parseBenchArgs(["--baseline", "main", "--rounds", "two"])).toThrow(/--rounds must be/);
    expect(() => parseBenchArgs(["--baseline", ""])).toThrow(/need a value/);
  });

  it("compares unroll's systems only, unless peers are named", () => {
    expect(selectComparisonSystems(undefined, false).map((s) => s.label)).toEqual([
      "unroll/cpu",
      "unroll/workers×1",
      "unroll/workers×2",
      "unroll/wasm×1",
      "unroll/wasm×2",
    ]);
    expect(selectComparisonSystems(undefined, true).map((s) => s.label)).toEqual(["unroll/cpu", "unroll/workers×2", "unroll/wasm×1", "unroll/wasm×2"]);
    expect(selectComparisonSystems(["tfjs-wasm"], false).map((s) => s.label)).toEqual(["unroll/cpu", "tfjs-wasm"]);
  });
});

describe("bench --baseline: arithmetic", () => {
  const w = workloadById("W1", true);
  const cpu = systemByLabel("unroll/cpu");

  it("takes interpolated quartiles", () => {
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([4, 1, 3, 2], 0.75)).toBe(3.25);
    expect(quantile([7], 0.9)).toBe(7);
    expect(interquartileRange([1, 2, 3, 4, 5])).toBe(2);
  });

  it("pools a side's rounds: median of all steps, each round's median, the largest peak RSS", () => {
    const s = summarizeSide([ok([10, 12, 11], 120), ok([13, 9, 14], 130)]);
    expect(s).toMatchObject({ status: "ok", median_ms: 11.5, min_ms: 9, max_ms: 14, repeats: 6, round_medians_ms: [11, 13], peak_rss_mb: 130, loss: 0.5 });
    // steps sorted: 9 10 11 12 13 14 → quartiles 10.25 and 12.75
    expect(s.iqr_rel).toBeCloseTo(2.5 / 11.5, 12);
    const failed = summarizeSide([ok([1, 2, 3]), { status: "error", reason: "boom" }]);
    expect(failed).toMatchObject({ status: "error", reason: "boom", median_ms: null, repeats: 0, peak_rss_mb: null });
  });

  it("divides current by baseline, per round too, and calls a difference beyond the noise", () => {
    const base = [ok([100, 100, 100, 100]), ok([100, 100, 100, 100])];
    const slower = compareBuilds(w, cpu, base, [ok([120, 120, 120, 120]), ok([121, 121, 121, 121])], true, names);
    expect(slower.ratio).toBeCloseTo(1.205, 12);
    expect(slower.round_ratios.map((r) => Number(r.toFixed(4)))).toEqual([1.2, 1.21]);
    expect(slower.min_ratio).toBe(1.2);
    // the baseline has no step jitter; the current side's pooled steps 120×4, 121×4 have an IQR of 1,
    // whose notch 1.58·(1/120.5)/√8 is wider than the furthest round's distance from the pooled ratio
    expect(slower.noise).toBeCloseTo(Math.max((1.58 * (1 / 120.5)) / Math.sqrt(8), 1.21 / 1.205 - 1), 12);
    expect(slower.noise).toBeCloseTo((1.58 * (1 / 120.5)) / Math.sqrt(8), 12);
    expect(slower.verdict).toBe("slower");
    expect(slower).toMatchObject({ kind: "comparison", workload: "W1", system: "unroll", backend: "cpu", rounds: 2, baseline_build: names.baseline });

    // the rounds disagree in direction: the difference is within the noise
    const mixed = compareBuilds(w, cpu, base, [ok([90, 90, 90]), ok([115, 115, 115])], true, names);
    expect(mixed.ratio).toBeCloseTo(1.025, 12);
    expect(mixed.verdict).toBe("same");
    expect(verdict(0.9, 0.05)).toBe("faster");
    expect(verdict(0.96, 0.05)).toBe("same");

    // one round: a ratio and a noise, but no verdict
    const single = compareBuilds(w, cpu, [base[0]], [ok([150, 150, 150, 150])], true, names);
    expect(single.ratio).toBe(1.5);
    expect(single.verdict).toBeNull();

    // a failed side: no ratio, the failure reported
    const broken = compareBuilds(w, cpu, [base[0]], [{ status: "error", reason: "unknown workload case" }], true, names);
    expect(broken).toMatchObject({ ratio: null, min_ratio: null, noise: null, verdict: null, round_ratios: [] });
    expect(broken.current.status).toBe("error");
  });

  it("widens the noise by step jitter: 1.58·IQR/√n per side, in quadrature", () => {
    const side = (iqr: number, n: number): SideSummary => ({ ...summarizeSide([ok([1])]), iqr_rel: iqr, repeats: n });
    const noise = comparisonNoise(side(0.1, 25), side(0.2, 100), 1, [1, 1]);
    expect(noise).toBeCloseTo(Math.hypot((1.58 * 0.1) / 5, (1.58 * 0.2) / 10), 12);
    // no jitter: the furthest round ratio from the pooled one
    expect(comparisonNoise(side(0, 25), side(0, 25), 1.1, [1.0, 1.2])).toBeCloseTo(0.1 / 1.1, 12);
  });

  it("tabulates both builds, the ratio, its noise and each side's failure", () => {
    const rows: ComparisonRecord[] = [
      compareBuilds(w, cpu, [ok([100, 101, 99]), ok([100, 100, 100])], [ok([90, 91, 89]), ok([91, 91, 91])], true, names),
      compareBuilds(workloadById("W4", true), cpu, [ok([1, 1, 1])], [{ status: "error", reason: "boom" }], true, names),
    ];
    const table = formatComparisonTable(rows).split("\n");
    expect(table[0]).toMatch(/^case\s+system\s+base ms\s+cur ms\s+cur\/base\s+± noise\s+verdict\s+round ratios/);
    // pooled medians 100 and 91; rounds 90/100 and 91/100; noise |0.90/0.91 - 1| = 0.011
    expect(table[2]).toMatch(/^W1\s+unroll\/cpu\s+100\s+91\.0\s+0\.910\s+±0\.011\s+faster\s+0\.90 0\.91\s+0\.899\s+0\.0%\/0\.8%\s/);
    expect(table[2]).toMatch(/100\/100\s+6\/6$/);
    expect(table[3]).toBe("");
    expect(table[4]).toMatch(/^W4\s+unroll\/cpu\s+1\.00\s{2,}.*current error: boom$/);
  });
});

describe("bench --baseline: the baseline's install", () => {
  it("links external packages to this tree's and workspace links to the baseline's own packages", () => {
    const scratch = mkdtempSync(join(tmpdir(), "unroll-bench-test-"));
    onTestFinished(() => rmSync(scratch, { recursive: true, force: true }));
    const cur = join(scratch, "cur");
    const base = join(scratch, "base");
    for (const d of ["node_modules/zod", "node_modules/@scope/ext", "node_modules/@unroll", "node_modules/.bin", "packages/ir"])
      mkdirSync(join(cur, d), { recursive: true });
    mkdirSync(join(base, "packages/ir"), { recursive: true });
    symlinkSync("../../packages/ir", join(cur, "node_modules/@unroll/ir"));
    writeFileSync(join(cur, "package-lock.json"), JSON.stringify({ packages: { "": {}, "node_modules/zod": {}, "node_modules/@unroll/ir": { link: true } } }));
    linkNodeModules(cur, base);
    expect(readlinkSync(join(base, "node_modules/zod"))).toBe(join(cur, "node_modules/zod"));
    expect(readlinkSync(join(base, "node_modules/@scope/ext"))).toBe(join(cur, "node_modules/@scope/ext"));
    expect(readlinkSync(join(base, "node_modules/.bin"))).toBe(join(cur, "node_modules/.bin"));
    expect(lstatSync(join(base, "node_modules/@unroll")).isDirectory()).toBe(true);
    expect(realpathSync(join(base, "node_modules/@unroll/ir"))).toBe(realpathSync(join(base, "packages/ir")));
    writeFileSync(join(base, "package-lock.json"), JSON.stringify({ other: true }));
    expect(sameLockFile(cur, base)).toBe(false);
  });

  it.skipIf(!gitHeadLinkable)("runs the baseline's own harness and engine, and removes the copy (HEAD, linked)", { timeout: 120_000 }, async () => {
    const log: string[] = [];
    const baseline = await prepareBaseline({ ref: "HEAD" }, "link", CURRENT_BUILD, (l) => log.push(l));
    try {
      expect(baseline.root).not.toBe(root);
      expect(baseline.install).toMatch(/linked/);
      // from the baseline's root, a workspace package resolves to the baseline's sources, tsx to this tree's install
      const resolveFrom = (spec: string): string =>
        spawnSync(process.execPath, ["--conditions=source", "--input-type=module", "-e", `console.log(import.meta.resolve(${JSON.stringify(spec)}))`], {
          cwd: baseline.root,
          encoding: "utf8",
        }).stdout.trim();
      expect(resolveFrom("@unroll/bptt")).toBe(pathToFileURL(join(baseline.root, "packages/bptt/src/index.ts")).href);
      expect(realpathSync(new URL(resolveFrom("tsx")))).toContain(realpathSync(join(root, "node_modules", "tsx")));
      // marks in the baseline's engine and harness show up in its child's output: both are the baseline's
      appendFileSync(join(baseline.root, "packages/bptt/src/index.ts"), `\nconsole.log("engine of the baseline");\n`);
      // (first in child.ts: its end is process.exit)
      const child = join(baseline.root, "tools/bench/src/child.ts");
      writeFileSync(child, `console.log("harness of the baseline");\n${readFileSync(child, "utf8")}`);
      const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      let result: ChildResult;
      let stray: string;
      try {
        result = await runChild(
          { system: "unroll/cpu", case: "W4", quick: true, warmup: 1, warmupMs: 0, repeats: 0, minTimeMs: 0, budgetMs: 60_000, gradNorm: true },
          baseline,
        );
      } finally {
        stray = stderr.mock.calls.map((c) => String(c[0])).join("");
        stderr.mockRestore();
      }
      expect(result.status, JSON.stringify(result)).toBe("ok");
      expect(stray).toContain("[baseline unroll/cpu W4] engine of the baseline");
      expect(stray).toContain("harness of the baseline");
    } finally {
      baseline.dispose();
    }
    expect(existsSync(baseline.root)).toBe(false);
    // removing the copy removed the links, not what they point to
    expect(existsSync(join(root, "node_modules", "tsx", "package.json"))).toBe(true);
  });

  // about 6 s on an idle 2-core machine: the copy (< 1 s) and two child processes
  it.skipIf(!gitHeadLinkable)("npm run bench -- --baseline HEAD --quick --only W4 --systems unroll/cpu, end to end", { timeout: 120_000 }, async () => {
    const args = ["--baseline", "HEAD", "--baseline-install", "link", "--quick", "--only", "W4", "--systems", "unroll/cpu", "--rounds", "1", "--json"];
    // spawned asynchronously, so that the test runner's own timers keep running
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "tools/bench/src/main.ts", ...args], { cwd: root });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (b: Buffer) => out.push(b));
      child.stderr.on("data", (b: Buffer) => err.push(b));
      child.on("close", (status) => done({ status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as ComparisonRecord);
    expect(lines).toHaveLength(1);
    const [r] = lines;
    expect(r).toMatchObject({ kind: "comparison", workload: "W4", system: "unroll", backend: "cpu", rounds: 1 });
    expect(r.baseline.status).toBe("ok");
    expect(r.current.status).toBe("ok");
    expect(r.ratio).toBeGreaterThan(0);
    // the same commit computes the same loss
    expect(r.current.loss).toBe(r.baseline.loss);
    expect(r.baseline_build).toMatch(/^HEAD = [0-9a-f]{7,}/);
    const copy = /at (\S+), dependencies/.exec(run.stderr)?.[1];
    expect(copy, run.stderr).toBeDefined();
    expect(existsSync(copy!)).toBe(false);
  });
});
