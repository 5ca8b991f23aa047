import { createCpuBackend } from "@unroll/backend-cpu";
import { describe, expect, it } from "vitest";
import { makeProblem } from "./src/data.js";
import { stepFlops } from "./src/flops.js";
import { toRecord } from "./src/record.js";
import { median, relativeDifference } from "./src/stats.js";
import { systemByLabel } from "./src/systems.js";
import { formatTable } from "./src/table.js";
import { createTfjsRunner } from "./src/tfjs-runner.js";
import { createUnrollRunner } from "./src/unroll-runner.js";
import { selectWorkloads, workloadById } from "./src/workloads.js";

describe("bench harness", () => {
  it("counts W1 as the issue does: 1.2 GFLOP per training step", () => {
    expect(stepFlops(workloadById("W1", false))).toBe(3 * 64 * 2 * 32 * (64 * 256 + 256 * 256 + 256 * 64));
    expect(stepFlops(workloadById("W1", false)) / 1e9).toBeCloseTo(1.208, 3);
  });

  it("selects workloads by name or case id and rejects unknown names", () => {
    expect(selectWorkloads(["W3"]).map((w) => w.id)).toEqual(["W3-rnn", "W3-lstm"]);
    expect(selectWorkloads(["W1", "W6-full"]).map((w) => w.id)).toEqual(["W1", "W1-custom", "W6-full"]);
    expect(selectWorkloads(["W1-custom"]).map((w) => w.id)).toEqual(["W1-custom"]);
    expect(() => selectWorkloads(["W9"])).toThrow(/unknown workload "W9"/);
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
