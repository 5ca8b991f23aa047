import { appendFileSync, writeFileSync } from "node:fs";
import cliProgress from "cli-progress";
import type { StepReport } from "@unroll/bptt";

/** Reports training progress: a bar on a terminal, a JSON-lines log for machines, or nothing. */
export class TrainProgress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly started = performance.now();
  private done = 0;

  constructor(
    total: number,
    options: { quiet: boolean; log?: string },
    private readonly log = options.log,
  ) {
    if (log) writeFileSync(log, "");
    if (!options.quiet && process.stderr.isTTY) {
      this.bar = new cliProgress.SingleBar(
        { format: "train [{bar}] {value}/{total} steps | loss {loss} | {rate} steps/s", stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { loss: "-", rate: "-" });
    }
  }

  /** Records one optimizer step. */
  step(epoch: number, r: StepReport): void {
    this.done++;
    const seconds = (performance.now() - this.started) / 1000;
    const rate = this.done / Math.max(seconds, 1e-9);
    this.bar?.update(this.done, { loss: r.loss.toPrecision(5), rate: rate.toFixed(1) });
    if (this.log) {
      const flow = r.deltaNorms ? { deltaNorms: r.deltaNorms, gradNorms: r.gradNorms } : {};
      const line = { epoch, step: r.step, batch: r.batch, start: r.window.start, end: r.window.end, loss: r.loss, gradNorm: r.gradNorm, ...flow, seconds };
      appendFileSync(this.log, JSON.stringify(line) + "\n");
    }
  }

  /** Ends the bar. */
  stop(): void {
    this.bar?.stop();
  }
}
