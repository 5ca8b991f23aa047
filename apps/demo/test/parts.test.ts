import { describe, expect, it } from "vitest";
import { lineChart, niceTicks } from "../src/svg-chart.js";

describe("lineChart", () => {
  it("draws every series as a polyline with round ticks", () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const svg = lineChart(
      [
        {
          name: "a<b",
          points: [
            [0, 1],
            [1, 2],
          ],
          color: "red",
        },
      ],
      { xLabel: "x", yLabel: "y" },
    );
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain("<polyline");
    expect(svg).toContain("a&#60;b");
  });
});
