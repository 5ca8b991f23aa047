/**
 * `@unroll/backend-workers`: runs windows data-parallel over the batch on a
 * pool of workers driven with comlink, tensors in `SharedArrayBuffer`s, each
 * worker running the CPU backend's window runner on its rows.
 *
 * This entry picks `worker_threads` in Node (loaded with a dynamic import) and
 * Web Workers elsewhere. A browser bundle should import
 * `@unroll/backend-workers/web` instead, which has no reference to Node code,
 * or pass its own `spawner`.
 *
 * Guides: [getting started](../../../docs/guides/getting-started.md), [writing a backend](../../../docs/guides/writing-a-backend.md) (a backend that runs
 * windows elsewhere).
 * @packageDocumentation
 * @module @unroll/backend-workers
 */
import type { Backend } from "@unroll/bptt";
import { createPoolBackend, type WorkerBackendOptions } from "./worker-backend.js";
import { createWebWorkerSpawner } from "./web-worker.js";
import type { WorkerSpawner } from "./worker-handle.js";
import type { NodeWorkerSpawnerOptions } from "./node-worker.js";

export type { WorkerBackendOptions } from "./worker-backend.js";
export type { WorkerHandle, WorkerSpawner } from "./worker-handle.js";
export { createWebWorkerSpawner, type WebWorkerSpawnerOptions } from "./web-worker.js";
export type { NodeWorkerSpawnerOptions } from "./node-worker.js";
export { WorkerError, type WorkerFailure } from "./errors.js";
export { DEFAULT_TIMEOUT_BASE_MS, DEFAULT_TIMEOUT_WORK_PER_MS, defaultTimeout, sliceWork, type PoolCall, type WorkerTimeout } from "./call-timeout.js";
export { exposeWorkerService } from "./expose-service.js";
export { WorkerService } from "./worker-service.js";
export type { RowRange, SliceJob, SliceOutputs, SliceReply, SliceTensors, WireError, WorkerApi } from "./protocol.js";

/** True in Node (and runtimes that mimic it, where `worker_threads` exists). */
function isNode(): boolean {
  return typeof process !== "undefined" && typeof process.versions?.node === "string";
}

/** The default spawner here: `worker_threads` in Node, Web Workers elsewhere. */
async function defaultSpawner(): Promise<WorkerSpawner> {
  return isNode() ? loadNodeWorkerSpawner() : createWebWorkerSpawner();
}

/**
 * A spawner of `worker_threads` for {@link WorkerBackendOptions.spawner}, e.g.
 * to run another worker module (Node only; its code is loaded on demand so
 * that this entry stays importable in a browser).
 */
export async function loadNodeWorkerSpawner(options: NodeWorkerSpawnerOptions = {}): Promise<WorkerSpawner> {
  const { createNodeWorkerSpawner } = await import("./node-worker.js");
  return createNodeWorkerSpawner(options);
}

/**
 * The worker-pool backend (name `"workers"`). Each window's batch is split
 * into contiguous row slices, one per worker; each worker runs the CPU
 * window runner on its rows, dividing by the whole window's counted rows so
 * the slices' losses and gradients simply add up. Results equal the CPU
 * backend's up to the order of floating-point sums, and are bitwise the same
 * from run to run for a given number of workers.
 *
 * ```ts
 * const backend = createWorkerBackend({ workers: 4, log: console.debug });
 * const loaded = await backend.load(program, { dtype: "float32" });
 * for (const w of windows) await loaded.runWindow(w); // one call per worker per window
 * await backend.dispose();                              // terminates the workers
 * ```
 *
 * A worker that throws makes the call reject with a {@link WorkerError} naming
 * it and the cause; one that dies is replaced (with the loaded programs) and
 * the call rejects at once. One that does not answer within
 * {@link WorkerBackendOptions.timeout} (by default a minute plus time in
 * proportion to the slice's work, see {@link defaultTimeout}) is deemed hung:
 * the call rejects with a `WorkerError` whose failure is `"hung"`, and the
 * worker is terminated and replaced. `request.signal` cancels a window: its
 * busy workers are terminated and replaced, and the call rejects with an
 * `AbortError`. The other slices of a failed window run to their end and
 * write only into that window's buffers; the next call gets fresh ones.
 */
export function createWorkerBackend(options: WorkerBackendOptions = {}): Backend {
  return createPoolBackend(options, defaultSpawner);
}
