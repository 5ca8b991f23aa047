/**
 * The browser entry of `@unroll/backend-workers`: the same backend, starting
 * module Web Workers by default, with no reference to Node code for bundlers
 * to trip on. Tensors are shared only on a cross-origin-isolated page (COOP
 * `same-origin`, COEP `require-corp`); elsewhere the backend logs that once
 * and transfers copies.
 * @packageDocumentation
 * @module @unroll/backend-workers/web
 */
import type { Backend } from "@unroll/bptt";
import { createPoolBackend, type WorkerBackendOptions } from "./worker-backend.js";
import { createWebWorkerSpawner } from "./web-worker.js";

export type { WorkerBackendOptions } from "./worker-backend.js";
export type { WorkerHandle, WorkerSpawner } from "./worker-handle.js";
export { createWebWorkerSpawner, type WebWorkerSpawnerOptions } from "./web-worker.js";
export { WorkerError, type WorkerFailure } from "./errors.js";

/** The worker-pool backend with Web Workers; see the main entry's `createWorkerBackend`. */
export function createWorkerBackend(options: WorkerBackendOptions = {}): Backend {
  return createPoolBackend(options, () => createWebWorkerSpawner());
}
