import { describe, expect, it } from "vitest";
import { batchMajorSuspicion } from "@unroll/data";

/** B smooth waves of T steps, time-major [T][B][1], each row a different phase. */
const waves = (T: number, B: number) => Array.from({ length: T }, (_, t) => Array.from({ length: B }, (_, b) => [Math.sin(0.2 * t + 1.7 * b)]));
const transpose = <V>(m: V[][]): V[][] => m[0].map((_, j) => m.map((row) => row[j]));

describe("batchMajorSuspicion", () => {
  it("stays quiet on time-major waves and flags the same waves batch-major", () => {
    expect(batchMajorSuspicion(waves(40, 8))).toBeUndefined();
    const s = batchMajorSuspicion(transpose(waves(40, 8)));
    expect(s).toMatchObject({ first: 8, second: 40 });
    expect(s?.reason).toMatch(/second dimension differ by .* under half of .* along the first/);
  });

  it("stays quiet on one-hot text either way round, where neighbours are unrelated in both dimensions", () => {
    const ids = "the quick brown fox jumps over the lazy dog and runs away";
    const oneHot = Array.from({ length: 10 }, (_, t) =>
      Array.from({ length: 5 }, (_, b) => [...Array(27)].map((_, k) => (ids.charCodeAt(b * 10 + t) % 27 === k ? 1 : 0))),
    );
    expect(batchMajorSuspicion(oneHot)).toBeUndefined();
    expect(batchMajorSuspicion(transpose(oneHot))).toBeUndefined();
  });

  it("uses a batch size known from elsewhere before the data's smoothness", () => {
    expect(batchMajorSuspicion(transpose(waves(6, 4)), { batch: 4 })).toMatchObject({ first: 4, second: 6 });
    expect(batchMajorSuspicion(waves(6, 4), { batch: 4 })).toBeUndefined();
  });

  it("does not judge data too small to tell", () => {
    expect(batchMajorSuspicion(transpose(waves(40, 2)))).toBeUndefined();
    expect(batchMajorSuspicion("not an array")).toBeUndefined();
  });
});
