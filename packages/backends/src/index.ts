/**
 * `@unroll/backends`: the backends an app offers by name (`cpu`, `workers`,
 * and `webgpu` where `navigator.gpu` exists, i.e. not in Node), one registry
 * for the CLI, the terminal demo and the web demo. This entry's
 * pool runs on worker threads in Node (Web Workers elsewhere); a browser
 * bundle imports `@unroll/backends/web`, which has no Node code.
 * @packageDocumentation
 * @module @unroll/backends
 */
import { createWorkerBackend } from "@unroll/backend-workers";
import { BackendRegistry } from "./backend-registry.js";

export * from "./backend-registry.js";
export * from "./backend-spec-error.js";

/** The backends, by name; the pool starts worker threads in Node. */
export const backends = new BackendRegistry(createWorkerBackend);
