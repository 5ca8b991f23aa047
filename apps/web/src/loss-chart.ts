import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** Weight of the newest loss in the smoothed curve (an exponential moving average). */
const SMOOTHING = 0.1;
const HEIGHT = 280;

/**
 * The live loss curve: every step's loss and its moving average against the
 * step, and the loss of a uniform guess over V characters (ln V) for scale.
 * Points are added as they come; the chart redraws at most once per frame.
 */
export class LossChart {
  private readonly plot: uPlot;
  private readonly steps: number[] = [];
  private readonly losses: number[] = [];
  private readonly smoothed: number[] = [];
  private readonly uniform: number[] = [];
  private uniformLoss = NaN;
  private frame = 0;

  constructor(private readonly container: HTMLElement) {
    const opts: uPlot.Options = {
      width: Math.max(280, container.clientWidth),
      height: HEIGHT,
      scales: { x: { time: false } },
      axes: [{ label: "step" }, { label: "loss (nats/char)" }],
      series: [
        { label: "step" },
        { label: "loss", stroke: "#9db7d8", width: 1 },
        { label: "smoothed", stroke: "#1f5fa8", width: 2 },
        { label: "uniform guess", stroke: "#b0500a", width: 1, dash: [6, 4] },
      ],
      legend: { live: false }, // series names only: the numbers panel has the values
    };
    this.plot = new uPlot(opts, [[], [], [], []], container);
    new ResizeObserver(() => this.plot.setSize({ width: Math.max(280, container.clientWidth), height: HEIGHT })).observe(container);
  }

  /** Forgets all points: a new run starts. `vocabSize` sets the ln V reference line. */
  reset(vocabSize: number): void {
    for (const a of [this.steps, this.losses, this.smoothed, this.uniform]) a.length = 0;
    this.uniformLoss = Math.log(vocabSize);
    this.schedule();
  }

  /** Adds one step's loss. */
  add(step: number, loss: number): void {
    const prev = this.smoothed.at(-1);
    this.steps.push(step);
    this.losses.push(loss);
    this.smoothed.push(prev === undefined ? loss : prev + SMOOTHING * (loss - prev));
    this.uniform.push(this.uniformLoss);
    this.schedule();
  }

  /** The latest smoothed loss, if any. */
  get smoothedLoss(): number | undefined {
    return this.smoothed.at(-1);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.plot.setData([this.steps, this.losses, this.smoothed, this.uniform]);
    });
  }
}
