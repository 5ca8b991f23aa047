import type uPlot from "uplot";

/** A chart as a report embeds it: uPlot's options and its aligned data. */
export interface EmbeddedChart {
  /** uPlot options. */
  readonly options: uPlot.Options;
  /** `[xs, ...ys]`. */
  readonly data: (number | null)[][];
}

/** The charts a report draws, read back from its JSON script element. */
export function reportCharts(html: string): EmbeddedChart[] {
  const m = /<script type="application\/json" id="charts">(.*?)<\/script>/s.exec(html);
  if (!m) throw new Error("the report has no charts JSON");
  return JSON.parse(m[1]) as EmbeddedChart[];
}

/** The legend labels of a chart's lines (its series after x). */
export function lineNames(chart: EmbeddedChart): string[] {
  return chart.options.series.slice(1).map((s) => String(s.label));
}

/** True when the report loads nothing from elsewhere: no src or href attribute, no link element. */
export function selfContained(html: string): boolean {
  return !/<link|\ssrc=|\shref=/.test(html) && html.includes("<script>") && html.includes("uPlot");
}
