import type uPlot from "uplot";

/** One line of a chart. */
export interface ChartLine {
  /** Legend label. */
  readonly name: string;
  /** Stroke color (CSS). */
  readonly color: string;
  /** Stroke width in pixels (default 2). */
  readonly width?: number;
  /** Dash pattern in pixels, e.g. `[6, 4]`; absent: solid. */
  readonly dash?: readonly number[];
}

/** What a line chart shows, as plain data. */
export interface ChartSpec {
  /** Label under the x axis. */
  readonly xLabel: string;
  /** Label beside the y axis. */
  readonly yLabel: string;
  /** The lines, in legend order. */
  readonly lines: readonly ChartLine[];
  /** A logarithmic y axis (base 10); values of 0 or less are not drawn. */
  readonly logY?: boolean;
}

/**
 * A chart ready for uPlot: its spec, and its data aligned as uPlot wants it,
 * `[xs, ys of line 0, ys of line 1, …]`, `null` where a line has no point.
 * Plain data, so a report can embed it as JSON.
 */
export interface LineChart {
  /** What the chart shows. */
  readonly spec: ChartSpec;
  /** `[xs, ...ys]`, one ys per line of the spec. */
  readonly data: uPlot.AlignedData;
}

/** Spacings uPlot may choose between x ticks. */
const X_TICK_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];

/**
 * uPlot options of a line chart, the same in the report and on the web page.
 * They hold no functions, so they survive JSON (the report embeds them).
 */
export function chartOptions(spec: ChartSpec, width: number, height: number): uPlot.Options {
  return {
    width,
    height,
    scales: { x: { time: false }, ...(spec.logY ? { y: { distr: 3 } } : {}) },
    // x counts steps or batches: whole-number ticks only
    axes: [{ label: spec.xLabel, incrs: X_TICK_STEPS }, { label: spec.yLabel }],
    series: [
      { label: spec.xLabel },
      ...spec.lines.map((l) => ({ label: l.name, stroke: l.color, width: l.width ?? 2, spanGaps: true, ...(l.dash ? { dash: [...l.dash] } : {}) })),
    ],
    legend: { live: false }, // names only: the values are in the text around the chart
  };
}

/**
 * Aligns lines given as `[x, y]` points on the union of their x values, in
 * increasing order, as uPlot's data: a line without a point at some x gets
 * `null` there (drawn across, see `spanGaps`). Non-finite y values become `null`.
 */
export function alignPoints(lines: readonly (readonly (readonly [number, number])[])[]): uPlot.AlignedData {
  const xs = [...new Set(lines.flatMap((points) => points.map(([x]) => x)))].filter(Number.isFinite).sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = lines.map((points) => {
    const y: (number | null)[] = xs.map(() => null);
    for (const [x, v] of points) if (at.has(x) && Number.isFinite(v)) y[at.get(x)!] = v;
    return y;
  });
  return [xs, ...ys];
}
