import cliProgress from "cli-progress";
import type { Budget } from "@unroll/demo-kit";

/** Steps averaged for the displayed loss. */
const SMOOTHING = 20;

/**
 * Training progress on a terminal: a bar with the step, the recent loss and
 * the speed, with text lines (samples) printed above it. When the output is
 * not a terminal there is no bar and the lines are printed plainly.
 */
export class TrainProgress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly recent: number[] = [];

  constructor(
    private readonly budget: Budget,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {
    if (out.isTTY) {
      const total = budget.kind === "steps" ? budget.steps : budget.seconds;
      this.bar = new cliProgress.SingleBar(
        {
          format: `train [{bar}] {percentage}% | step {step} | loss {loss} | {rate} steps/s | {elapsed}s`,
          stream: out,
          hideCursor: true,
          forceRedraw: true,
          barsize: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { step: 0, loss: "-", rate: "-", elapsed: "0" });
    }
  }

  /** Mean loss of the last steps (NaN before the first). */
  get loss(): number {
    return this.recent.reduce((a, b) => a + b, 0) / this.recent.length;
  }

  /** Records one optimizer step: `done` steps in this run after `seconds`. */
  step(step: number, done: number, loss: number, seconds: number): void {
    this.recent.push(loss);
    if (this.recent.length > SMOOTHING) this.recent.shift();
    const value = this.budget.kind === "steps" ? done : Math.min(seconds, this.budget.seconds);
    this.bar?.update(value, { step, loss: this.loss.toFixed(3), rate: (done / Math.max(seconds, 1e-9)).toFixed(1), elapsed: seconds.toFixed(0) });
  }

  /** Prints a line above the bar, cut to the terminal's width so that the bar stays in place. */
  line(text: string): void {
    if (this.bar) {
      const width = Math.max(20, (this.out.columns ?? 80) - 1);
      const chars = Array.from(text);
      this.out.cursorTo(0);
      this.out.clearLine(0);
      // then save the cursor (DECSC): the bar restores it when it stops, and must not climb back over this line
      this.out.write((chars.length > width ? chars.slice(0, width - 1).join("") + "…" : text) + "\n\x1b7");
      this.bar.render();
    } else {
      this.out.write(text + "\n");
    }
  }

  /** Removes the bar, leaving its last state on screen. */
  stop(): void {
    this.bar?.stop();
  }
}
