import { describe, expect, it } from "vitest";
import type { Tensor } from "@unroll/ir";
import { splitValidation } from "./validation-split.js";

/** A `[T, B, F]` tensor whose element (t, b, f) is 100t + 10b + f. */
function indexed(T: number, B: number, F: number): Tensor {
  const data = new Float64Array(T * B * F);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) data[(t * B + b) * F + f] = 100 * t + 10 * b + f;
  return { shape: [T, B, F], data };
}

describe("splitValidation", () => {
  it("keeps the first ⌊B(1 − f)⌋ rows for training and the rest for validation, with their lengths and initial states", () => {
    const x = indexed(2, 5, 2);
    const h0: Tensor = { shape: [5, 1], data: new Float64Array([0, 1, 2, 3, 4]) };
    const { train, validation } = splitValidation({ sequences: { x }, initialState: { h: h0 }, lengths: [2, 1, 2, 1, 2] }, 0.3);
    // ⌊5 · 0.7⌋ = 3 training rows
    expect(train.sequences.x.shape).toEqual([2, 3, 2]);
    expect(Array.from(validation.sequences.x.data)).toEqual([30, 31, 40, 41, 130, 131, 140, 141]);
    expect(Array.from(train.sequences.x.data)).toEqual([0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]);
    expect(Array.from(validation.initialState!.h.data)).toEqual([3, 4]);
    expect(train.lengths).toEqual([2, 1, 2]);
    expect(validation.lengths).toEqual([1, 2]);
  });

  it("is the same every time and copies (the parts do not share the data's memory)", () => {
    const x = indexed(3, 4, 1);
    const a = splitValidation({ sequences: { x } }, 0.25);
    expect(splitValidation({ sequences: { x } }, 0.25)).toEqual(a);
    a.validation.sequences.x.data[0] = -1;
    expect(x.data[3]).toBe(30);
  });

  it("refuses a fraction outside (0, 1) or one that leaves a part empty", () => {
    const x = indexed(1, 4, 1);
    expect(() => splitValidation({ sequences: { x } }, 1)).toThrow("the validation fraction must be in (0, 1), got 1");
    expect(() => splitValidation({ sequences: { x } }, 0.8)).toThrow(
      "a validation fraction of 0.8 of 4 sequences leaves 0 for training and 4 for validation; each needs at least one",
    );
  });
});
