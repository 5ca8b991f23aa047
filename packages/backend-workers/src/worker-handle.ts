import type { Endpoint } from "comlink";

/**
 * A started worker as the pool sees it: a comlink endpoint, a way to hear of
 * its death, and a way to stop it. This is all that differs between
 * `worker_threads` and Web Workers.
 */
export interface WorkerHandle {
  /** The endpoint comlink talks to. */
  readonly endpoint: Endpoint;
  /**
   * Calls `listener` once if the worker dies on its own: exits, throws an
   * uncaught error, or fails to start. Not called after {@link terminate}.
   * The cause's message reads after "worker N", e.g. `"exited with code 1"`
   * or `"crashed: <the uncaught error's message>"`.
   */
  onDeath(listener: (cause: Error) => void): void;
  /** Keeps the process alive while a call runs (no-op where there is no process). */
  ref(): void;
  /** Lets the process exit while the worker is idle (no-op where there is no process). */
  unref(): void;
  /** Stops the worker at once. */
  terminate(): Promise<void>;
}

/** Starts workers of one kind; see `createNodeWorkerSpawner` and `createWebWorkerSpawner`. */
export interface WorkerSpawner {
  /** What kind of workers, for the log (e.g. `"worker_threads"`). */
  readonly kind: string;
  /** Workers to start when the options give no count: the machine's parallelism. */
  defaultWorkers(): number;
  /** Starts worker number `index` of the pool. */
  spawn(index: number): WorkerHandle;
}
