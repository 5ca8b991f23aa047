import { describe, expect, it } from "vitest";
import { RangeArena } from "./range-arena.js";

const GRANULE = 64;

describe("RangeArena: first-fit ranges of a device's memory", () => {
  it("hands out granule-aligned ranges after the reserved words, and reuses freed ones merged with their neighbours", () => {
    const a = new RangeArena(10 * GRANULE, 4, GRANULE);
    const x = a.take(1)!;
    const y = a.take(GRANULE + 1)!;
    const z = a.take(GRANULE)!;
    expect([x, y, z]).toEqual([GRANULE, 2 * GRANULE, 4 * GRANULE]);
    expect(a.used).toBe(5 * GRANULE);
    a.give(y, GRANULE + 1);
    a.give(x, 1);
    // x and y merged: three granules at GRANULE
    expect(a.take(3 * GRANULE)).toBe(GRANULE);
    a.give(z, GRANULE);
    expect(a.take(6 * GRANULE)).toBe(4 * GRANULE);
    expect(a.take(1)).toBeUndefined();
  });

  it("grows at its end: the free tail extends, and a full arena gains a new range", () => {
    const a = new RangeArena(2 * GRANULE, 0, GRANULE);
    expect(a.take(2 * GRANULE)).toBe(0);
    expect(a.take(GRANULE)).toBeUndefined();
    a.grow(4 * GRANULE);
    expect(a.take(2 * GRANULE)).toBe(2 * GRANULE);
    a.give(0, 2 * GRANULE);
    a.give(2 * GRANULE, 2 * GRANULE);
    expect(a.used).toBe(0);
    expect(a.take(4 * GRANULE)).toBe(0);
  });
});
