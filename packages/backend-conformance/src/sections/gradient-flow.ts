import { expect } from "vitest";
import type { Tensor } from "@unroll/ir";
import { InputError, stepView, type WindowResult } from "@unroll/bptt";
import { causalCandidates, plainRnnCandidates } from "../models/candidates.js";
import type { ModelCase } from "../models/models.js";
import { expectNoMismatches, scalarMismatches } from "../support/compare.js";
import { rejection } from "../support/rejection.js";
import { withSetup, type SameBackendSetup } from "../support/same-backend.js";
import { itRunning, onFirstRunnable, type SuiteContext } from "../suite-context.js";

const T = 7;
const B = 3;
/** The first step whose loss counts in the window these checks measure. */
const K = 3;

function norm(t: Tensor): number {
  let sum = 0;
  for (const v of t.data) sum += v * v;
  return Math.sqrt(sum);
}

/** Mismatches of each state's delta norms at steps `[from, to)` of `a` against those of `b` from its step `bFrom`. */
function normMismatches(label: string, a: WindowResult, b: WindowResult, from: number, to: number, bFrom: number, s: SameBackendSetup): string[] {
  return Object.keys(b.deltaNorms ?? {}).flatMap((state) =>
    Array.from({ length: to - from }, (_, k) =>
      scalarMismatches(`${label}: ${state} at step ${from + k}`, a.deltaNorms?.[state]?.[from + k], b.deltaNorms![state][bFrom + k], s.tol),
    ).flat(),
  );
}

/** A test on one model, in a fresh setup. */
type ModelTest = (name: string, body: (s: SameBackendSetup) => Promise<void>) => void;

function modelTest(ctx: SuiteContext, model: ModelCase): ModelTest {
  return (name, body) =>
    itRunning(ctx, `${model.name}: ${name}`, model.program, { gradients: true }, () =>
      withSetup(ctx.backend, model, ctx.primary, { steps: T, batch: B }, name, body),
    );
}

/** The window measured with its loss from step K, and the window of steps [K, T) entering with the state after step K - 1. */
function measure(model: ModelCase): (s: SameBackendSetup, checkpointEvery?: number) => Promise<{ whole: WindowResult; rest: WindowResult }> {
  const { program } = model;
  return async ({ loaded, params, data }, checkpointEvery = 1) => {
    const whole = await loaded.runWindow({
      params,
      sequences: data.sequences,
      initialState: data.initialState,
      lossFrom: K,
      gradients: true,
      deltaNorms: true,
      checkpointEvery,
    });
    const initialState = Object.fromEntries(Object.keys(program.states).map((c) => [c, stepView(whole.states[c], K - 1)]));
    const sequences = Object.fromEntries(
      Object.entries(data.sequences).map(([k, v]) => [k, { shape: [T - K, ...v.shape.slice(1)], data: v.data.slice((K * v.data.length) / T) }]),
    );
    const rest = await loaded.runWindow({ params, sequences, initialState, gradients: true, deltaNorms: true, lossRowsTotal: whole.lossRows });
    return { whole, rest };
  };
}

/**
 * On a model with one state: `∂L/∂h_t` is the total derivative, through the
 * step's own later uses of `h_t` too (an LSTM's `∂L/∂c_t` includes the path
 * through `h_t = o tanh(c_t)`), so with several states it is not the gradient
 * of one state entering a window; with one it is.
 */
function describeOneState(ctx: SuiteContext, model: ModelCase): void {
  const { program } = model;
  const test = modelTest(ctx, model);
  const measured = measure(model);
  test(`the delta of the state before the loss starts (step ${K - 1}) is the gradient of the state entering the rest of the window`, async (s) => {
    const { whole, rest } = await measured(s);
    expect(Object.keys(whole.deltaNorms ?? {}).sort(), "a delta norm per state").toEqual(Object.keys(program.states).sort());
    for (const [state, norms] of Object.entries(whole.deltaNorms!)) expect(norms, state).toHaveLength(T);
    expectNoMismatches(
      Object.entries(rest.initialStateGrads!).flatMap(([state, g]) =>
        scalarMismatches(`‖dL/d${state}‖ at step ${K - 1}`, whole.deltaNorms![state][K - 1], norm(g), s.tol),
      ),
    );
  });
}

function describeOn(ctx: SuiteContext, model: ModelCase): void {
  const test = modelTest(ctx, model);
  const measured = measure(model);
  test(`the deltas of steps [${K}, ${T}) equal those of a window that starts at step ${K} with the same loss`, async (s) => {
    const { whole, rest } = await measured(s);
    expectNoMismatches(normMismatches("whole window", whole, rest, K, T, 0, s));
  });

  test("time checkpointing (every 2 steps) measures the same deltas", async (s) => {
    const plain = await measured(s);
    const checkpointed = await measured(s, 2);
    expectNoMismatches(normMismatches("checkpointed", checkpointed.whole, plain.whole, 0, T, 0, s));
  });

  test("delta norms without gradients, or with RTRL, are refused with an InputError", async ({ loaded, params, data }) => {
    const request = { params, sequences: data.sequences, initialState: data.initialState, deltaNorms: true };
    for (const bad of [
      { ...request, gradients: false },
      { ...request, gradients: true, method: "rtrl" as const },
    ]) {
      const err = await rejection(() => loaded.runWindow(bad));
      expect(err, JSON.stringify({ gradients: bad.gradients })).toBeInstanceOf(InputError);
      expect(err.message).toMatch(/deltaNorms/);
    }
  });
}

/**
 * Gradient flow (`deltaNorms`), on the backend alone in its primary dtype: the
 * deltas of the steps where the loss counts equal those of a window that starts
 * there, checkpointing does not change them, and (one state) the delta just
 * before the loss starts is the gradient of the state entering that window. (Their values against a hand-written BPTT
 * are checked on the CPU backend in float64.)
 */
export function describeGradientFlow(ctx: SuiteContext): void {
  ctx.registrar.describe(`gradient flow (T = ${T}, B = ${B}, loss from step ${K}, ${ctx.primary})`, () => {
    onFirstRunnable(ctx, "gradient flow", causalCandidates(), (model) => describeOn(ctx, model));
    onFirstRunnable(ctx, "gradient flow of one state", plainRnnCandidates(), (model) => describeOneState(ctx, model));
  });
}
