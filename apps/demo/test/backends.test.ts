import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { numberAfter, runDemo } from "./run-demo.js";

const dir = mkdtempSync(join(tmpdir(), "unroll-demo-backends-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("--backend", () => {
  it("workers trains like cpu (equal up to the order of float sums)", () => {
    const args = ["--steps", "4", "--hidden", "16", "--batch", "4", "--window", "8", "--seed", "2", "--sample-every", "0", "--report", join(dir, "r.html")];
    const cpu = runDemo([...args, "--backend", "cpu"], dir);
    const workers = runDemo([...args, "--backend", "workers"], dir);
    expect(workers.stderr).toBe("");
    expect(workers.status).toBe(0);
    expect(numberAfter(workers.stdout, "final loss")).toBeCloseTo(numberAfter(cpu.stdout, "final loss"), 2);
  });
});
