/**
 * The browser entry of `@unroll/backends`: the same registry, its pool made
 * of module Web Workers by `@unroll/backend-workers/web`, with no reference
 * to Node code for a bundler to trip on.
 * @packageDocumentation
 * @module @unroll/backends/web
 */
import { createWorkerBackend } from "@unroll/backend-workers/web";
import { BackendRegistry } from "./backend-registry.js";

export * from "./backend-registry.js";
export * from "./backend-spec-error.js";

/** The backends, by name; the pool starts module Web Workers. */
export const backends = new BackendRegistry(createWorkerBackend);
