import { createCpuBackend } from "@unroll/backend-cpu";
import { describe, expect, it } from "vitest";
import { GRAD_NORM_TOLERANCE } from "./src/check.js";
import { makeProblem } from "./src/data.js";
import { stepFlops } from "./src/flops.js";
import { toRecord } from "./src/record.js";
import { UnsupportedError } from "./src/runner.js";
import { median, relativeDifference } from "./src/stats.js";
import { systemByLabel, TFJS_NO_RTRL } from "./src/systems.js";
import { formatTable } from "./src/table.js";
import { createTfjsRunner } from "./src/tfjs-runner.js";
import { createUnrollRunner } from "./src/unroll-runner.js";
import { selectWorkloads, windowsPerStep, workloadById, workloads } from "./src/workloads.js";

describe("bench harness", () => {
  it("counts W1 as the issue does: 1.2 GFLOP per training step", () => {
    expect(stepFlops(workloadById("W1", false))).toBe(3 * 64 * 2 * 32 * (64 * 256 + 256 * 256 + 256 * 64));
    expect(stepFlops(workloadById("W1", false)) / 1e9).toBeCloseTo(1.208, 3);
  });

  it("selects workloads by name or case id and rejects unknown names", () => {
    expect(selectWorkloads(["W3"]).map((w) => w.id)).toEqual(["W3-rnn", "W3-lstm"]);
    expect(selectWorkloads(["W1", "W6-full"]).map((w) => w.id)).toEqual(["W1", "W1-custom", "W1-flow", "W6-full"]);
    expect(selectWorkloads(["W1-custom"]).map((w) => w.id)).toEqual(["W1-custom"]);
    expect(() => selectWorkloads(["W9"])).toThrow(/unknown workload "W9"/);
  });

  it("W7 runs RTRL and SnAp-1 at two lengths of one model, its relations naming cases of the same model and method", () => {
    expect(selectWorkloads(["W7"]).map((w) => w.id)).toEqual(["W7-rtrl-short", "W7-rtrl-long", "W7-snap-short", "W7-snap-long", "W7-trunc32", "W7-full"]);
    for (const quick of [false, true]) {
      const [short, long] = [workloadById("W7-rtrl-short", quick), workloadById("W7-rtrl-long", quick)];
      expect([short.steps, long.steps]).toEqual(quick ? [32, 128] : [256, 1024]);
      for (const w of workloads.map((c) => workloadById(c.id, quick))) {
        const model = { cell: w.cell, batch: w.batch, input: w.input, hidden: w.hidden, output: w.output };
        // flat memory compares a shorter run of the same model and method: only the length differs
        if (w.memoryFlatFrom) {
          const short = workloadById(w.memoryFlatFrom, quick);
          expect(short).toMatchObject(model);
          expect([short.method, short.updateEvery, short.window]).toEqual([w.method, w.updateEvery, w.window]);
          expect(short.steps).toBeLessThan(w.steps);
        }
        // the same first window needs the same data (same sizes and length) and, for an online update, a window as long as it
        if (w.firstWindowAs)
          expect(workloadById(w.firstWindowAs, quick)).toMatchObject({ ...model, steps: w.steps, ...(w.updateEvery ? { window: w.updateEvery } : {}) });
      }
    }
    expect(windowsPerStep(workloadById("W7-rtrl-long", false))).toBe(32);
    const ok = { status: "ok", timesMs: [3072], windowMs: [], loss: 0.5, firstStepMs: 5000, peakRssMb: 300, baseRssMb: 100 } as const;
    const record = (id: string) => toRecord(workloadById(id, false), systemByLabel("unroll/cpu"), ok, false);
    expect(record("W7-rtrl-long")).toMatchObject({ method: "rtrl", update_every: 32, window: null, seq_step_ms: 3 });
    expect(record("W7-trunc32")).toMatchObject({ method: "bptt", update_every: null, window: 32 });
    expect(record("W3-rnn").method).toBeNull();
    expect(systemByLabel("tfjs-wasm").unsupported?.(workloadById("W7-rtrl-long", false))).toBe(TFJS_NO_RTRL);
    expect(systemByLabel("tfjs-wasm").unsupported?.(workloadById("W7-snap-long", false))).toBe(TFJS_NO_RTRL);
    expect(systemByLabel("tfjs-wasm").unsupported?.(workloadById("W7-trunc32", false))).toBeUndefined();
  });

  it("prints ms per sequence step, so that cases of different lengths compare", () => {
    const w = workloadById("W6-trunc64", false);
    const ok = { status: "ok", timesMs: [8192, 16384, 12288], windowMs: [], loss: 0.5, firstStepMs: 9000, peakRssMb: 300, baseRssMb: 100 } as const;
    const record = toRecord(w, systemByLabel("unroll/cpu"), ok, false);
    expect(record).toMatchObject({ median_ms: 12288, seq_step_ms: 3 });
    const table = formatTable([record]).split("\n");
    expect(table[0]).toMatch(/ms\/seq step/);
    expect(table[2]).toMatch(/W6-trunc64\s+unroll\/cpu\s+12288\s+3\.00\s/);
  });

  // the first update of RTRL every 32 steps is exactly BPTT's first window of 32; later ones carry the sensitivities
  it("RTRL's first window is truncated BPTT's, and its last one differs by more than the check tolerates (2 rows, T = 64)", async () => {
    const run = async (id: string) => {
      const w = { ...workloadById(id, true), batch: 2, steps: 64 };
      const runner = await createUnrollRunner(createCpuBackend(), w, makeProblem(w));
      try {
        return await runner.step();
      } finally {
        await runner.dispose();
      }
    };
    const [rtrl, bptt] = [await run("W7-rtrl-long"), await run("W7-trunc32")];
    expect(relativeDifference(rtrl.loss, bptt.loss)).toBeLessThan(1e-6);
    expect(relativeDifference(rtrl.gradNorm!, bptt.gradNorm!)).toBeLessThan(1e-5);
    expect(rtrl.windowMs).toHaveLength(2);
    expect(relativeDifference(rtrl.lastGradNorm!, bptt.lastGradNorm!)).toBeGreaterThan(GRAD_NORM_TOLERANCE);
  });

  it("TF.js has no RTRL: its runner refuses the case (reported n/a)", async () => {
    const w = workloadById("W7-rtrl-short", true);
    await expect(createTfjsRunner("cpu", w, makeProblem(w), { gradNorm: false })).rejects.toThrow(UnsupportedError);
  });

  it("takes medians", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  // the TF.js models must compute unroll's function, or the timings compare different work
  for (const id of ["W4", "W2", "W3-lstm", "W6-trunc64"]) {
    it(`TF.js computes unroll's loss and gradient norm on ${id} (quick sizes, 4 rows)`, async () => {
      const quick = workloadById(id, true);
      const w = { ...quick, batch: Math.min(4, quick.batch) };
      const unroll = await createUnrollRunner(createCpuBackend(), w, makeProblem(w));
      const tfjs = await createTfjsRunner("cpu", w, makeProblem(w), { gradNorm: true });
      try {
        for (let step = 0; step < 2; step++) {
          const [a, b] = [await unroll.step(), await tfjs.step()];
          expect(relativeDifference(a.loss, b.loss), `loss at step ${step}`).toBeLessThan(1e-5);
          if (w.mode === "train") expect(relativeDifference(a.gradNorm!, b.gradNorm!), `grad norm at step ${step}`).toBeLessThan(1e-4);
          expect(a.windowMs?.length ?? 1).toBe(b.windowMs?.length ?? 1);
        }
      } finally {
        await unroll.dispose();
        await tfjs.dispose();
      }
    });
  }
});
