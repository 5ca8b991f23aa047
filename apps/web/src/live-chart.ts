import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { chartOptions, type LineChart } from "@unroll/demo-kit";

/** Narrowest a chart gets, in CSS pixels. */
const MIN_WIDTH = 280;

/**
 * A uPlot chart on the page that follows its container's width and shows the
 * latest {@link LineChart} it is given, redrawing at most once per frame. The
 * options come from `@unroll/demo-kit`, as the terminal demo's report's do.
 */
export class LiveChart {
  private plot: uPlot | undefined;
  private spec: string | undefined; // JSON of the plot's spec: a new spec needs a new plot
  private next: LineChart | undefined;
  private frame = 0;

  constructor(
    private readonly container: HTMLElement,
    private readonly height: number,
  ) {
    new ResizeObserver(() => this.plot?.setSize({ width: this.width, height })).observe(container);
  }

  private get width(): number {
    return Math.max(MIN_WIDTH, this.container.clientWidth);
  }

  /** Shows `chart` at the next frame. */
  show(chart: LineChart): void {
    this.next = chart;
    this.frame ||= requestAnimationFrame(() => this.draw());
  }

  /** The data the chart draws now, `[xs, ...ys]` (for tests and the console). */
  get data(): uPlot.AlignedData | undefined {
    return this.plot?.data;
  }

  private draw(): void {
    this.frame = 0;
    const chart = this.next;
    if (!chart) return;
    const spec = JSON.stringify(chart.spec);
    if (spec !== this.spec) {
      this.plot?.destroy();
      this.plot = new uPlot(chartOptions(chart.spec, this.width, this.height), chart.data, this.container);
      this.spec = spec;
    } else {
      this.plot!.setData(chart.data);
    }
  }
}
