/**
 * `@unroll/backend-conformance`: the one suite that every backend runs whole.
 * A backend's test file calls {@link describeBackend} in one line.
 * @packageDocumentation
 */
export { describeBackend } from "./describe-backend.js";
export type { BackendFactory } from "./suite-context.js";
