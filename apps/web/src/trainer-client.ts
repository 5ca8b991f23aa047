import type { FromTrainer, ToTrainer } from "./protocol.js";
import type { TrainSettings } from "./settings.js";
import { StopFlag } from "./stop-flag.js";

/** How long a stop waits for the trainer to finish its window before terminating it. */
export const STOP_GRACE_MS = 700;

/** How a run ended. */
export type RunEnd =
  /** `by`: the trainer confirmed, or was terminated after the grace period; `ms` since stop was asked. */
  | { readonly kind: "stopped"; readonly step: number; readonly by: "trainer" | "terminate"; readonly ms: number }
  | { readonly kind: "failed"; readonly message: string };

/** What the page hears from a run. */
export interface RunListener {
  /** Every message of the trainer while the run is live (not after stop was asked). */
  message(m: Exclude<FromTrainer, { type: "stopped" | "error" }>): void;
  /** Once, when the run is over; the trainer worker is gone by then. */
  end(e: RunEnd): void;
}

/**
 * One training run in its own trainer worker. {@link stop} raises the shared
 * stop flag (seen by the trainer between windows) and also sends a message;
 * if the trainer has not confirmed within {@link STOP_GRACE_MS} (a long window
 * on a slow machine), the worker is terminated, with its pool.
 */
export class TrainerRun {
  private readonly worker: Worker;
  private readonly flag = StopFlag.create();
  private stopping = false;
  private stopAt = 0;
  private over = false;
  private lastStep = 0;
  private grace: ReturnType<typeof setTimeout> | undefined;

  constructor(
    settings: TrainSettings,
    text: string,
    private readonly listener: RunListener,
  ) {
    this.worker = new Worker(new URL("./trainer.worker.ts", import.meta.url), { type: "module", name: "trainer" });
    this.worker.addEventListener("message", (e: MessageEvent<FromTrainer>) => this.receive(e.data));
    this.worker.addEventListener("error", (e) => {
      e.preventDefault();
      this.finish({ kind: "failed", message: e.message || "the trainer worker failed to start" });
    });
    this.send({ type: "start", settings, text, ...(this.flag.buffer ? { stop: this.flag.buffer } : {}) });
  }

  /** True when the stop flag lives in shared memory. */
  get sharedStopFlag(): boolean {
    return this.flag.buffer !== undefined;
  }

  /** Sets the temperature of the next samples. */
  setTemperature(value: number): void {
    this.send({ type: "temperature", value });
  }

  /** Asks the run to stop; {@link RunListener.end} follows within {@link STOP_GRACE_MS} or so. */
  stop(): void {
    if (this.stopping || this.over) return;
    this.stopping = true;
    this.stopAt = performance.now();
    this.flag.raise();
    this.send({ type: "stop" });
    this.grace = setTimeout(() => this.finish({ kind: "stopped", step: this.lastStep, by: "terminate", ms: performance.now() - this.stopAt }), STOP_GRACE_MS);
  }

  private send(m: ToTrainer): void {
    this.worker.postMessage(m);
  }

  private receive(m: FromTrainer): void {
    if (this.over) return;
    if (m.type === "stopped") return this.finish({ kind: "stopped", step: m.step, by: "trainer", ms: performance.now() - this.stopAt });
    if (m.type === "error") return this.finish({ kind: "failed", message: m.message });
    if (this.stopping) return; // posted before the trainer saw the flag
    if (m.type === "progress") this.lastStep = m.step;
    this.listener.message(m);
  }

  private finish(e: RunEnd): void {
    if (this.over) return;
    this.over = true;
    clearTimeout(this.grace);
    this.worker.terminate(); // also ends the pool's workers, which it owns
    this.listener.end(e);
  }
}
