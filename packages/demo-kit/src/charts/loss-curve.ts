import type uPlot from "uplot";
import type { ChartSpec, LineChart } from "./line-chart.js";

/**
 * A loss curve as it grows: every step's loss, the mean of the last `recent`
 * steps, and the loss of a uniform guess over V classes (ln V) for scale. The
 * report builds one from a run's losses, the web page adds to one live.
 */
export class LossCurve {
  private readonly steps: number[] = [];
  private readonly losses: number[] = [];
  private readonly means: number[] = [];
  private readonly uniform: number[] = [];
  private sum = 0; // of the last `recent` losses

  /** A curve for V = `vocabSize` classes, smoothed over the last `recent` steps. */
  constructor(
    private readonly vocabSize: number,
    private readonly recent: number,
  ) {}

  /** Adds one step's loss. */
  add(step: number, loss: number): void {
    this.steps.push(step);
    this.losses.push(loss);
    this.sum += loss;
    if (this.losses.length > this.recent) this.sum -= this.losses[this.losses.length - 1 - this.recent];
    this.means.push(this.sum / Math.min(this.recent, this.losses.length));
    this.uniform.push(Math.log(this.vocabSize));
  }

  /** The mean of the last `recent` losses (undefined before the first). */
  get smoothedLoss(): number | undefined {
    return this.means.at(-1);
  }

  /** What the chart shows. */
  get spec(): ChartSpec {
    return {
      xLabel: "optimizer step",
      yLabel: "cross-entropy (nats per character)",
      lines: [
        { name: "loss per step", color: "#9db7d8", width: 1 },
        { name: `mean of the last ${this.recent} steps`, color: "#1f5fa8" },
        { name: `uniform guess, ln ${this.vocabSize}`, color: "#b0500a", width: 1, dash: [6, 4] },
      ],
    };
  }

  /** The points so far, aligned for uPlot (the arrays are copies). */
  get data(): uPlot.AlignedData {
    return [[...this.steps], [...this.losses], [...this.means], [...this.uniform]];
  }

  /** The spec and the points so far. */
  chart(): LineChart {
    return { spec: this.spec, data: this.data };
  }
}
