import { batchCoupling, opKinds, type CheckedProgram } from "@unroll/ir";
import {
  checkBudget,
  defaultMemoryBudget,
  WindowCompiler,
  type Backend,
  type LoadedProgram,
  type LoadOptions,
  type WindowRequest,
  type WindowResult,
} from "@unroll/bptt";
import { timeoutFunction, type WorkerTimeout } from "./call-timeout.js";
import { WorkerPool } from "./pool.js";
import { runWindowOnPool, type PoolProgram } from "./run-window.js";
import { sharedMemoryAvailable } from "./shared-memory.js";
import type { WorkerSpawner } from "./worker-handle.js";

/** Options of `createWorkerBackend`. */
export interface WorkerBackendOptions {
  /**
   * Number of workers. Default: the machine's parallelism
   * (`os.availableParallelism()` in Node, `navigator.hardwareConcurrency` in a browser).
   */
  readonly workers?: number;
  /** Debug log: workers started, died and replaced, and how each window was split. */
  readonly log?: (message: string) => void;
  /**
   * How workers are started. Default: `worker_threads` in Node and module Web
   * Workers elsewhere (the `@unroll/backend-workers/web` entry never loads the
   * Node code).
   */
  readonly spawner?: WorkerSpawner;
  /**
   * Share tensors with the workers through `SharedArrayBuffer`. Default: when
   * available. `false` transfers copies of each worker's rows instead.
   */
  readonly sharedMemory?: boolean;
  /**
   * How long a worker may take to answer one call, in milliseconds, counted
   * from when the call is sent (a worker gets one call at a time), before it
   * is deemed hung: the call rejects with a `WorkerError` (failure `"hung"`)
   * naming the worker, what it was doing and the timeout, and the worker is
   * terminated and replaced. A number applies to every call; a function
   * gets the call (start-up, load, unload, or a window slice with its steps,
   * rows and estimated work); `Infinity` waits forever.
   *
   * Default: {@link defaultTimeout}, one minute plus a millisecond per 10,000
   * estimated multiply-adds of the slice. A fixed bound alone would either
   * fire on a legitimately long window on a slow machine or catch a hang late
   * on every small one; the work-scaled term grants a long window 100 to 1000
   * times what it takes, and the minute covers start-up and small windows on
   * a loaded machine.
   */
  readonly timeout?: WorkerTimeout;
}

/**
 * The worker-pool backend over a given default spawner; `createWorkerBackend`
 * (Node or browser) and the `/web` entry differ only in that default, which
 * is looked up when the first program is loaded.
 */
export function createPoolBackend(options: WorkerBackendOptions, defaultSpawner: () => WorkerSpawner | Promise<WorkerSpawner>): Backend {
  const { workers } = options;
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) throw new Error(`workers must be a positive integer, got ${workers}`);
  const log = options.log ?? (() => {});
  const timeoutOf = timeoutFunction(options.timeout);
  const available = sharedMemoryAvailable();
  if (options.sharedMemory === true && !available)
    throw new Error("sharedMemory: true, but SharedArrayBuffer is not available here (a browser page must be cross-origin isolated)");
  const shared = options.sharedMemory ?? available;
  if (!available) log("SharedArrayBuffer is not available (the page is not cross-origin isolated): transferring copies of the buffers instead");
  let pool: Promise<WorkerPool> | undefined;
  let disposed = false;
  let nextId = 1;
  const getPool = (): Promise<WorkerPool> =>
    (pool ??= (async () => {
      const spawner = options.spawner ?? (await defaultSpawner());
      const n = workers ?? Math.max(1, spawner.defaultWorkers());
      log(`pool of ${n} ${spawner.kind} worker${n === 1 ? "" : "s"}, ${shared ? "shared memory" : "transferred copies"}`);
      return new WorkerPool(spawner, n, log, timeoutOf);
    })());
  const checkAlive = (): void => {
    if (disposed) throw new Error("the workers backend has been disposed");
  };
  return {
    name: "workers",
    capabilities: { dtypes: ["float32", "float64"], ops: opKinds },
    async load(program: CheckedProgram, { dtype, memoryBudget }: LoadOptions): Promise<LoadedProgram> {
      checkAlive();
      const budget = checkBudget(memoryBudget ?? defaultMemoryBudget());
      const p = await getPool();
      const id = nextId++;
      // each worker holds its slices to the budget too; the whole window is checked here, before it is split
      await p.load(id, program.program, dtype, budget);
      const coupling = batchCoupling(program);
      if (coupling !== undefined) log(`program ${id} cannot be split over the batch (${coupling}): each window runs on one worker`);
      const ctx: PoolProgram = {
        pool: p,
        id,
        program,
        compiler: new WindowCompiler(program),
        dtype,
        coupling,
        shared,
        log,
        memoryBudget: budget,
        withinBudget: new Set(),
      };
      let unloaded = false;
      return {
        async runWindow(request: WindowRequest): Promise<WindowResult> {
          checkAlive();
          if (unloaded) throw new Error("this program has been disposed");
          return runWindowOnPool(ctx, request);
        },
        async dispose() {
          if (unloaded) return;
          unloaded = true;
          if (!disposed) await p.unload(id);
        },
      };
    },
    async dispose() {
      disposed = true;
      const p = pool;
      pool = undefined;
      if (p) await (await p.catch(() => undefined))?.dispose();
    },
  };
}
