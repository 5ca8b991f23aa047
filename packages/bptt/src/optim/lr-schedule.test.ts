import { describe, expect, it } from "vitest";
import { checkLrSchedule, scheduledLr, type LrSchedule } from "./lr-schedule.js";

/** The rate of the first update of epochs 0, 1, … (one update per epoch, so step = epoch). */
function byEpoch(schedule: LrSchedule, epochs: number): number[] {
  return Array.from({ length: epochs }, (_, e) => scheduledLr(0.1, schedule, { epoch: e, step: e }));
}

describe("scheduledLr", () => {
  it("keeps the base rate without decay or warm-up", () => {
    expect(byEpoch({}, 3)).toEqual([0.1, 0.1, 0.1]);
  });

  it("step: halves every 2 epochs", () => {
    expect(byEpoch({ decay: { kind: "step", every: 2, gamma: 0.5 } }, 6)).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
  });

  it("exponential: 0.1 · 0.9^epoch", () => {
    const rates = byEpoch({ decay: { kind: "exponential", gamma: 0.9 } }, 4);
    [0.1, 0.09, 0.081, 0.0729].forEach((r, i) => expect(rates[i]).toBeCloseTo(r, 16));
  });

  it("cosine over 4 epochs to 0, then held there", () => {
    const rates = byEpoch({ decay: { kind: "cosine", period: 4 } }, 6);
    // 0.1 · (1 + cos(π e / 4)) / 2
    [0.1, 0.08535533905932738, 0.05, 0.014644660940672627, 0, 0].forEach((r, i) => expect(rates[i]).toBeCloseTo(r, 16));
  });

  it("cosine to a floor: minLr + (lr − minLr)(1 + cos)/2", () => {
    const rates = byEpoch({ decay: { kind: "cosine", period: 2, minLr: 0.02 } }, 4);
    [0.1, 0.06, 0.02, 0.02].forEach((r, i) => expect(rates[i]).toBeCloseTo(r, 16));
  });

  it("linear warm-up over 4 steps, then the full rate", () => {
    const rates = [0, 1, 2, 3, 4, 5].map((step) => scheduledLr(0.1, { warmup: 4 }, { epoch: 0, step }));
    expect(rates).toEqual([0.025, 0.05, 0.07500000000000001, 0.1, 0.1, 0.1]);
  });

  it("warm-up multiplies the decay: epoch 2 of step(1, 0.5) at its second update of a 4-step warm-up", () => {
    expect(scheduledLr(0.1, { decay: { kind: "step", every: 1, gamma: 0.5 }, warmup: 4 }, { epoch: 2, step: 1 })).toBe(0.0125);
  });
});

describe("checkLrSchedule", () => {
  it("says what is valid", () => {
    expect(() => checkLrSchedule({ warmup: 0 })).toThrow("warmup must be a positive integer of steps, got 0");
    expect(() => checkLrSchedule({ decay: { kind: "step", every: 1.5, gamma: 0.5 } })).toThrow("every must be a positive integer of epochs, got 1.5");
    expect(() => checkLrSchedule({ decay: { kind: "exponential", gamma: 1.5 } })).toThrow("exponential decay: gamma must be in (0, 1], got 1.5");
    expect(() => checkLrSchedule({ decay: { kind: "cosine", period: 0 } })).toThrow("cosine decay: period must be a positive integer of epochs, got 0");
    expect(() => checkLrSchedule({ decay: { kind: "cosine", period: 3, minLr: -1 } })).toThrow("minLr must be a number ≥ 0, got -1");
    expect(() => checkLrSchedule({ decay: { kind: "step", every: 3, gamma: 0.1 }, warmup: 10 })).not.toThrow();
  });
});
