/**
 * `@unroll/backend-conformance`: the one suite that every backend runs whole.
 * A backend's test file calls {@link describeBackend} in one line.
 *
 * Guide: [writing a backend](../../../docs/guides/writing-a-backend.md) (what each section of the suite checks).
 * @packageDocumentation
 */
export { describeBackend } from "./describe-backend.js";
export type { BackendFactory } from "./suite-context.js";
// what "agrees to float32 (float64) tolerance" means, for tests outside the kit that compare two backends
export { FORWARD_TOLERANCE, GRADIENT_TOLERANCE, isClose, type Tolerance } from "./support/tolerance.js";
