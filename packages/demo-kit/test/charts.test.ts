import { describe, expect, it } from "vitest";
import { alignPoints, chartOptions, LossCurve, stepsBackChart } from "../src/index.js";

describe("charts", () => {
  it("align lines on the union of their x values, null where a line has no point", () => {
    expect(
      alignPoints([
        [
          [0, 1],
          [10, 1],
        ],
        [
          [5, 2],
          [10, NaN],
          [0, 3],
        ],
      ]),
    ).toEqual([
      [0, 5, 10],
      [1, null, 1],
      [3, 2, null],
    ]);
  });

  it("give uPlot options that survive JSON, a log y scale where asked", () => {
    const spec = {
      xLabel: "x",
      yLabel: "y",
      logY: true,
      lines: [
        { name: "a", color: "red", dash: [6, 4] },
        { name: "b", color: "blue", width: 1 },
      ],
    };
    const options = chartOptions(spec, 400, 200);
    expect(JSON.parse(JSON.stringify(options))).toEqual(options);
    expect(options.scales?.y).toEqual({ distr: 3 });
    expect(options.series.map((s) => [s.label, s.stroke, s.width, s.dash])).toEqual([
      ["x", undefined, undefined, undefined],
      ["a", "red", 2, [6, 4]],
      ["b", "blue", 1, undefined],
    ]);
    expect(chartOptions({ ...spec, logY: false }, 400, 200).scales?.y).toBeUndefined();
  });

  it("a loss curve: every loss, the mean of the last steps, and ln V", () => {
    const curve = new LossCurve(10, 3);
    expect(curve.smoothedLoss).toBeUndefined();
    [5, 4, 3, 2, 1].forEach((l, i) => curve.add(i + 1, l));
    expect(curve.smoothedLoss).toBe(2);
    const { data, spec } = curve.chart();
    expect(data[2]).toEqual([5, 4.5, 4, 3, 2]);
    expect(data[3]).toEqual(Array(5).fill(Math.log(10)));
    expect(spec.lines.map((l) => l.name)).toEqual(["loss per step", "mean of the last 3 steps", "uniform guess, ln 10"]);
  });

  it("steps back: each state's norms from the window's last step back, on a log scale", () => {
    const chart = stepsBackChart({ h: [1e-4, 1e-2, 1], c: [3, 2, 0] });
    expect(chart.spec.logY).toBe(true);
    expect(chart.spec.lines.map((l) => l.name)).toEqual(["c", "h"]);
    expect(chart.data).toEqual([
      [0, 1, 2],
      [null, 2, 3],
      [1, 1e-2, 1e-4],
    ]);
  });
});
