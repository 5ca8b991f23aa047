import { describe, expect, it } from "vitest";
import { expectNoMismatches, formatIndex, mismatchSummary, recordMismatches, SHOWN_PER_CHECK, tensorMismatches } from "../src/support/compare.js";

const exact = { atol: 0, rtol: 0 };
const seq = (data: number[]) => ({ shape: [2, 2, 3], data: Float64Array.from(data) });

describe("mismatch messages", () => {
  it("name an element by step, row and column of a sequence, by row of a per-row tensor, by axes otherwise", () => {
    expect(formatIndex([2, 2, 3], 3, "sequence")).toBe("[t=0, b=1, 0]");
    expect(formatIndex([2, 2, 3], 11, "sequence")).toBe("[t=1, b=1, 2]");
    expect(formatIndex([2, 3], 5, "rows")).toBe("[b=1, 2]");
    expect(formatIndex([3, 4], 6, "plain")).toBe("[1, 2]");
    expect(formatIndex([5], 4, "plain")).toBe("[4]");
    expect(formatIndex([4, 2], 7, "sequence")).toBe("[t=3, b=1]");
  });

  it("list a few elements per tensor and count the rest", () => {
    const want = seq(Array.from({ length: 12 }, () => 0));
    const lines = tensorMismatches("outputs", seq(Array.from({ length: 12 }, (_, i) => (i >= 6 ? 1 : 0))), want, exact, "sequence");
    expect(lines).toEqual([
      "outputs[t=1, b=0, 0]: 1, expected 0",
      "outputs[t=1, b=0, 1]: 1, expected 0",
      "outputs[t=1, b=0, 2]: 1, expected 0",
      "outputs: 3 more elements differ (6 of 12)",
    ]);
    expect(
      recordMismatches(
        "finalState",
        { h: { shape: [2, 3], data: Float64Array.from([0, 0, 0, 0, 9, 0]) } },
        { h: { shape: [2, 3], data: new Float64Array(6) } },
        exact,
        "rows",
      ),
    ).toEqual(["finalState.h[b=1, 1]: 9, expected 0"]);
  });

  it("fail with a bounded message that holds the summary itself", () => {
    const problems = Array.from({ length: 178 }, (_, i) => `line ${i}`);
    const summary = mismatchSummary(problems);
    expect(summary.split("\n")).toHaveLength(SHOWN_PER_CHECK + 2);
    expect(summary).toMatch(/^mismatches \(178 lines, the first 10 shown\):\n {2}line 0\n/);
    expect(summary).toMatch(/… and 168 more$/);
    let message = "";
    try {
      expectNoMismatches(problems);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(summary);
    expect(() => expectNoMismatches([])).not.toThrow();
    expect(mismatchSummary(["only"])).toBe("mismatches (1 line):\n  only");
  });
});
