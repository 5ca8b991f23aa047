import { LossCurve } from "@unroll/demo-kit";
import { LiveChart } from "./live-chart.js";

/** Steps averaged for the smoothed loss, as in the terminal demo's report. */
const RECENT = 20;

/**
 * The live loss curve: every step's loss, the mean of the last {@link RECENT}
 * steps and the loss of a uniform guess over V characters (ln V) for scale,
 * the same {@link LossCurve} as the terminal demo's report draws.
 */
export class LossChart {
  private readonly chart: LiveChart;
  private curve!: LossCurve;

  /** An empty chart (axes only) for a text of `vocabSize` characters. */
  constructor(container: HTMLElement, vocabSize: number) {
    this.chart = new LiveChart(container, 280);
    this.reset(vocabSize);
  }

  /** Forgets all points: a new run starts. `vocabSize` sets the ln V reference line. */
  reset(vocabSize: number): void {
    this.curve = new LossCurve(vocabSize, RECENT);
    this.chart.show(this.curve.chart());
  }

  /** Adds one step's loss. */
  add(step: number, loss: number): void {
    this.curve.add(step, loss);
    this.chart.show(this.curve.chart());
  }

  /** The latest smoothed loss, if any. */
  get smoothedLoss(): number | undefined {
    return this.curve.smoothedLoss;
  }
}
