import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import cliProgress from "cli-progress";
import { writeTextAtomic } from "./files.js";
import type { StepReport } from "@unroll/bptt";

/** Reports training progress: a bar on a terminal, a JSON-lines log for machines, or nothing. */
export class TrainProgress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly started = performance.now();
  private done: number;
  private run = 0;

  /**
   * Starts the bar, and the log afresh; or, with `done` (a resumed run's steps
   * so far), keeps the log's lines of steps up to `done` and appends after
   * them, so that the log has one line per step even when the killed run
   * logged steps after its last snapshot.
   */
  constructor(
    total: number,
    options: { quiet: boolean; log?: string; done?: number },
    private readonly log = options.log,
  ) {
    this.done = options.done ?? 0;
    if (log && options.done === undefined) writeFileSync(log, "");
    if (log && options.done !== undefined) writeTextAtomic(log, logLinesUpTo(log, options.done));
    if (!options.quiet && process.stderr.isTTY) {
      this.bar = new cliProgress.SingleBar(
        { format: "train [{bar}] {value}/{total} steps | loss {loss} | {rate} steps/s", stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, this.done, { loss: "-", rate: "-" });
    }
  }

  /** Records one optimizer step. */
  step(epoch: number, r: StepReport): void {
    this.done++;
    this.run++;
    const seconds = (performance.now() - this.started) / 1000;
    const rate = this.run / Math.max(seconds, 1e-9);
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

/** The lines of a JSON-lines log whose step is at most `done` (a line cut short by a kill is dropped), as text. */
function logLinesUpTo(log: string, done: number): string {
  if (!existsSync(log)) return "";
  const kept = readFileSync(log, "utf8")
    .split("\n")
    .filter((line) => {
      try {
        const { step } = JSON.parse(line) as { step?: unknown };
        return typeof step === "number" && step <= done;
      } catch {
        return false;
      }
    });
  return kept.map((line) => line + "\n").join("");
}
