import type { Worker } from "node:worker_threads";
import type { WorkerSpawner } from "../src/index.js";

/** The worker threads a spawner started, as the process sees them: which are alive, and a way to kill one from outside the pool. */
export interface ThreadCensus {
  /** The spawner to give the backend: the given one, watched. */
  readonly spawner: WorkerSpawner;
  /** Threads started so far. */
  started(): number;
  /** Threads that have not exited yet. */
  live(): number;
  /**
   * Terminates the newest live thread of pool place `index` behind the pool's
   * back, as other code or the runtime could; settles when it has exited (the
   * pool hears of it then), false if there was none.
   */
  kill(index: number): Promise<boolean>;
  /** Stops watching the process. */
  close(): void;
}

/**
 * Watches the threads `inner` starts through the process's `"worker"` event,
 * which hands over every `Worker` created in this thread, in creation order,
 * so each one is matched with the pool place it was spawned for. Counts
 * exits, not the pool's bookkeeping: a thread that never stops shows.
 */
export function watchThreads(inner: WorkerSpawner): ThreadCensus {
  const awaiting: number[] = [];
  const alive = new Map<Worker, number>();
  let started = 0;
  const onWorker = (worker: Worker): void => {
    const index = awaiting.shift();
    if (index === undefined) return; // not one of ours
    started++;
    alive.set(worker, index);
    worker.once("exit", () => alive.delete(worker));
  };
  process.on("worker", onWorker);
  return {
    spawner: {
      kind: inner.kind,
      defaultWorkers: () => inner.defaultWorkers(),
      spawn(index) {
        awaiting.push(index);
        return inner.spawn(index);
      },
    },
    started: () => started,
    live: () => alive.size,
    async kill(index) {
      const newest = [...alive].filter(([, i]) => i === index).at(-1);
      if (!newest) return false;
      await newest[0].terminate();
      return true;
    },
    close: () => void process.off("worker", onWorker),
  };
}
