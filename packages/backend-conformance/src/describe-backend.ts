import { afterAll, describe } from "vitest";
import { describeCapabilities } from "./sections/capabilities.js";
import { describeErrors } from "./sections/errors.js";
import { describeLifecycle } from "./sections/lifecycle.js";
import { describeMasks } from "./sections/masks.js";
import { describeModels } from "./sections/models.js";
import { describeOps } from "./sections/ops.js";
import { describeRunOptions } from "./sections/run-options.js";
import { describeTruncation } from "./sections/truncation.js";
import { suiteContext, type BackendFactory, type SuiteContext } from "./suite-context.js";

/**
 * Registers the conformance suite of a backend: one vitest suite,
 * `backend conformance: ${name}`, that a backend runs whole, with no name filters.
 * A new backend is one package plus one test file:
 *
 * ```ts
 * import { describeBackend } from "@unroll/backend-conformance";
 * import { createCpuBackend } from "../src/index.js";
 *
 * describeBackend("cpu", () => createCpuBackend());
 * ```
 *
 * The suite checks, in every dtype the backend declares in its capabilities:
 * every op forward against the float64 CPU kernels; every built-in cell and a
 * custom one, forward and backward through the scheduler, against the float64
 * reference and against central finite differences (float64), full and
 * truncated; the BPTT equivalences (chunked K = BPTT(K, K), K ≥ T = full, a
 * carried state = one uninterrupted pass, checkpointing and split batches change
 * nothing); errors for misshapen requests, non-finite values and unsupported
 * dtypes or ops; running a program many times, disposing programs and the
 * backend; and masked steps. What the backend does not declare is reported as a
 * skipped test whose name says why, never left out silently.
 *
 * `factory` is called once for an instance shared by the suite (disposed after
 * it) and again by the tests that dispose a backend of their own.
 */
export function describeBackend(name: string, factory: BackendFactory): void {
  describe(`backend conformance: ${name}`, async () => {
    const backend = await factory();
    afterAll(() => backend.dispose());
    describeSections(suiteContext(backend, factory));
  });
}

/** Registers every section of the suite through `ctx.registrar`: what {@link describeBackend} runs, and what the kit's own tests list. */
export function describeSections(ctx: SuiteContext): void {
  describeCapabilities(ctx);
  describeOps(ctx);
  describeModels(ctx);
  describeTruncation(ctx);
  describeRunOptions(ctx);
  describeMasks(ctx);
  describeErrors(ctx);
  describeLifecycle(ctx);
}
