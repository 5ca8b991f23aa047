import { describe, expect, it } from "vitest";
import { addLoss, meanLoss, NO_LOSS } from "./mean-loss.js";

describe("meanLoss", () => {
  it("weighs each window's mean by its counted rows: the mean over every counted (step, row)", () => {
    // per-(step, row) losses 1, 2, 3 | 4 | (none) | 5, 6
    const windows = [
      { loss: 2, lossRows: 3 },
      { loss: 4, lossRows: 1 },
      { loss: 0, lossRows: 0 },
      { loss: 5.5, lossRows: 2 },
    ];
    expect(meanLoss(windows)).toBeCloseTo(21 / 6, 14);
    // not the plain mean of the window means (2 + 4 + 0 + 5.5) / 4
    expect(meanLoss(windows)).not.toBeCloseTo(11.5 / 4, 3);
  });

  it("is 0 with nothing counted, and addLoss keeps the count", () => {
    expect(meanLoss([])).toBe(0);
    expect(meanLoss([{ loss: 7, lossRows: 0 }])).toBe(0);
    expect(addLoss(NO_LOSS, { loss: 3, lossRows: 4 })).toEqual({ loss: 3, lossRows: 4 });
    expect(addLoss({ loss: 1, lossRows: 1 }, { loss: 3, lossRows: 3 })).toEqual({ loss: 2.5, lossRows: 4 });
  });
});
