import { computeGradients, type Backend, type Truncation } from "@unroll/bptt";
import type { Dtype } from "@unroll/ir";
import { bidirectionalCandidates, causalCandidates } from "../models/candidates.js";
import type { ModelCase } from "../models/models.js";
import { expectNoMismatches, recordMismatches } from "../support/compare.js";
import { forwardResultMismatches, gradientResultMismatches, withSetup } from "../support/same-backend.js";
import { itRunning, onFirstRunnable, type SuiteContext } from "../suite-context.js";

const T = 7;
const B = 3;
/** Checkpoint intervals: dividing T or not, and past the window (one segment). */
const EVERY = [2, 3, T + 3];

/**
 * `checkpointEvery` against no checkpointing, under each truncation: the same
 * loss, gradients and windows, and the same forward pass (outputs, every state
 * at every step, final state).
 */
export async function checkpointMismatches(backend: Backend, model: ModelCase, dtype: Dtype, truncations: readonly Truncation[]): Promise<string[]> {
  return withSetup(backend, model, dtype, { steps: T, batch: B }, "checkpoints", async ({ loaded, params, data, tol }) => {
    const problems: string[] = [];
    for (const tr of truncations) {
      const plain = await computeGradients(loaded, model.program, params, data, tr);
      for (const every of EVERY) {
        const r = await computeGradients(loaded, model.program, params, data, tr, { checkpointEvery: every });
        const label = `${tr.kind}, checkpointEvery ${every}`;
        problems.push(...gradientResultMismatches(r, plain, tol).map((m) => `${label}: ${m}`));
        problems.push(...forwardResultMismatches(r.forward, plain.forward, tol).map((m) => `${label}: forward ${m}`));
      }
    }
    return problems;
  });
}

/**
 * One window with `collectStates: false` against the same window collecting
 * them: no states returned (as documented), and the same outputs, final state,
 * loss and, with `gradients`, the same gradients.
 */
export async function collectStatesMismatches(backend: Backend, model: ModelCase, dtype: Dtype, gradients: boolean): Promise<string[]> {
  return withSetup(backend, model, dtype, { steps: T, batch: B }, "collectStates", async ({ loaded, params, data, tol }) => {
    const request = { params, sequences: data.sequences, initialState: data.initialState, gradients };
    const all = await loaded.runWindow(request);
    const lean = await loaded.runWindow({ ...request, collectStates: false });
    const returned = Object.entries(lean.states ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k]) => k)
      .sort();
    const problems = returned.length > 0 ? [`states: ${returned.join(", ")} returned although collectStates is false`] : [];
    problems.push(...forwardResultMismatches({ ...lean, states: {} }, { ...all, states: {} }, tol));
    if (gradients) {
      problems.push(...recordMismatches("grads", lean.grads, all.grads!, tol));
      problems.push(...recordMismatches("inputGrads", lean.inputGrads, all.inputGrads!, tol, "sequence"));
      problems.push(...recordMismatches("initialStateGrads", lean.initialStateGrads, all.initialStateGrads!, tol, "rows"));
    }
    return problems;
  });
}

/**
 * One window with `inputGradients: false` against the same window with them:
 * the same loss, outputs, final state and parameter and initial-state
 * gradients (a backend may leave `inputGrads` out, or return them unchanged).
 */
export async function inputGradientsMismatches(backend: Backend, model: ModelCase, dtype: Dtype): Promise<string[]> {
  return withSetup(backend, model, dtype, { steps: T, batch: B }, "inputGradients", async ({ loaded, params, data, tol }) => {
    const request = { params, sequences: data.sequences, initialState: data.initialState, gradients: true };
    const all = await loaded.runWindow(request);
    const lean = await loaded.runWindow({ ...request, inputGradients: false });
    const problems = forwardResultMismatches(lean, all, tol);
    problems.push(...recordMismatches("grads", lean.grads, all.grads!, tol));
    problems.push(...recordMismatches("initialStateGrads", lean.initialStateGrads, all.initialStateGrads!, tol, "rows"));
    if (lean.inputGrads) problems.push(...recordMismatches("inputGrads", lean.inputGrads, all.inputGrads!, tol, "sequence"));
    return problems;
  });
}

/** The checkpoint check on one model, under full BPTT and BPTT(2, 3). */
function describeCheckpoints(ctx: SuiteContext, model: ModelCase): void {
  itRunning(
    ctx,
    `${model.name}: time checkpointing (checkpointEvery ${EVERY.join(", ")}) changes nothing, full BPTT and BPTT(2, 3): gradients, outputs and every state`,
    model.program,
    { gradients: true },
    async () => expectNoMismatches(await checkpointMismatches(ctx.backend, model, ctx.primary, [{ kind: "full" }, { kind: "k1k2", k1: 2, k2: 3 }])),
  );
}

/** The collectStates checks on one model, forward and with gradients. */
function describeCollectStates(ctx: SuiteContext, model: ModelCase): void {
  for (const gradients of [false, true]) {
    const label = gradients ? "with gradients" : "forward";
    itRunning(ctx, `${model.name}: collectStates: false returns no states and changes nothing else (${label})`, model.program, { gradients }, async () =>
      expectNoMismatches(await collectStatesMismatches(ctx.backend, model, ctx.primary, gradients)),
    );
  }
}

/**
 * The run options that must not change results: time checkpointing (on the
 * simplest causal model the backend runs, full and truncated, and on the
 * simplest bidirectional one, full), `collectStates: false` (on both) and
 * `inputGradients: false` (on the causal one).
 */
export function describeRunOptions(ctx: SuiteContext): void {
  ctx.registrar.describe(`run options: checkpointEvery, collectStates and inputGradients (T = ${T}, B = ${B}, ${ctx.primary})`, () => {
    onFirstRunnable(ctx, "run options", causalCandidates(), (model) => {
      describeCheckpoints(ctx, model);
      describeCollectStates(ctx, model);
      itRunning(
        ctx,
        `${model.name}: inputGradients: false changes nothing but inputGrads, which may be left out`,
        model.program,
        { gradients: true },
        async () => expectNoMismatches(await inputGradientsMismatches(ctx.backend, model, ctx.primary)),
      );
    });
    onFirstRunnable(ctx, "run options, bidirectional", bidirectionalCandidates(), (model) => {
      // a bidirectional model reads the future: full BPTT only
      itRunning(
        ctx,
        `${model.name}: time checkpointing (checkpointEvery ${EVERY.join(", ")}) changes nothing, full BPTT: gradients, outputs and every state`,
        model.program,
        { gradients: true },
        async () => expectNoMismatches(await checkpointMismatches(ctx.backend, model, ctx.primary, [{ kind: "full" }])),
      );
      describeCollectStates(ctx, model);
    });
  });
}
