import { afterAll, describe } from "vitest";
import { describeCapabilities } from "./sections/capabilities.js";
import { describeDropout } from "./sections/dropout.js";
import { describeErrors } from "./sections/errors.js";
import { describeLifecycle } from "./sections/lifecycle.js";
import { describeMasks } from "./sections/masks.js";
import { describeModels } from "./sections/models.js";
import { describeOps } from "./sections/ops.js";
import { describeRtrl } from "./sections/rtrl.js";
import { describeSnap } from "./sections/snap.js";
import { describeRunOptions } from "./sections/run-options.js";
import { describeTruncation } from "./sections/truncation.js";
import { describeGradientFlow } from "./sections/gradient-flow.js";
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
 * custom one through the scheduler: forward (outputs, every state at every step
 * in time order, reverse stages included, final state, loss) against a
 * plain-loop float64 reference, gradients against the float64 CPU backend and
 * central finite differences (float64), full and truncated; the BPTT
 * equivalences (chunked K = BPTT(K, K), K ≥ T = full, a carried state = one
 * uninterrupted pass, a split batch adds up); RTRL (`method: "rtrl"`): its
 * gradients equal full BPTT's (the backend's own and the float64 CPU
 * backend's) for every causal model and masked batches, its sensitivities the
 * CPU backend's, two windows carrying state and sensitivities add up to one,
 * and a bidirectional model or a misshapen sensitivity rejects; run options that change nothing
 * (`checkpointEvery`, `collectStates: false`, which returns no states); masked
 * steps; dropout (off equals no dropout; a draw's gradients equal the CPU
 * backend's and finite differences); errors for misshapen requests, non-finite values, unsupported dtypes
 * or ops and, for a forward-only backend, requests for gradients; running a
 * program many times, disposing programs and the backend.
 *
 * Nothing is left out silently. What the backend does not declare is reported
 * as a skipped test whose name says why: ops a test's model needs (backward and
 * masked ones included), float64, or gradients (`capabilities.gradients:
 * false` skips every gradient test and runs every forward one). Sections about
 * time and rows rather than cells (equivalences, run options, masks,
 * lifecycle, NaN checks) run on the first model of a simplest-first list whose
 * ops the backend declares, so one missing op does not skip them; a model
 * passed over is named, with its missing ops, in a skipped test. A failed
 * check names elements by step, row and column (`outputs[t=1, b=0, 2]`) and
 * puts its first ten mismatches, with a count, in the assertion message.
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
  describeGradientFlow(ctx);
  describeRtrl(ctx);
  describeSnap(ctx);
  describeRunOptions(ctx);
  describeMasks(ctx);
  describeDropout(ctx);
  describeErrors(ctx);
  describeLifecycle(ctx);
}
