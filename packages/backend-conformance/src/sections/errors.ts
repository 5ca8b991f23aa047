import { expect } from "vitest";
import { formatShape, type CheckedProgram, type Tensor } from "@unroll/ir";
import { computeGradients, NonFiniteError, runForward, sliceSteps, type LoadedProgram, type SequenceData, type WindowRequest } from "@unroll/bptt";
import { plainRnnCandidates } from "../models/candidates.js";
import { castData, modelData } from "../models/model-data.js";
import { nanCandidates, type NanModel } from "../models/nan-models.js";
import { rejection } from "../support/rejection.js";
import { cast, castAll, positive, randomParams, randomTensor, rngFor } from "../support/tensors.js";
import { ALL_DTYPES, chooseModel, itNeeding, itRunning, onFirstRunnable, type SuiteContext } from "../suite-context.js";

const T = 4;
const B = 2;

/** A valid request for the rnn in the suite's primary dtype, with gradients when the backend has them. */
function rnnRequest(ctx: SuiteContext, rnn: CheckedProgram): WindowRequest {
  const rand = rngFor("errors/rnn");
  const data = castData(modelData(rnn, T, B, rand), ctx.primary);
  return { params: castAll(randomParams(rnn, rand), ctx.primary), sequences: data.sequences, initialState: data.initialState, gradients: ctx.gradients };
}

/** A misshapen tensor of the suite's dtype. */
function misshapen(ctx: SuiteContext, shape: number[]): Tensor {
  return cast(randomTensor(shape, rngFor(`misshapen ${shape}`)), ctx.primary);
}

/** Expects a NonFiniteError naming the node, op, step and pass where the first non-finite value appeared. */
async function expectNonFinite(call: () => Promise<unknown>, nan: NanModel, step: number): Promise<void> {
  const err = await rejection(call);
  expect(err, `${err.name}: ${err.message}`).toBeInstanceOf(NonFiniteError);
  expect((err as NonFiniteError).site).toEqual({ node: nan.node, op: nan.op, step, stage: 0, pass: "forward" });
  expect(err.message).toContain(`time step ${step}`);
  expect(err.message).toContain(nan.op);
}

/** Misshapen and missing params, sequences, initial states and masks (on a plain rnn). */
function describeMisshapen(ctx: SuiteContext, rnn: CheckedProgram): void {
  const p = "layers.0.W_in";
  const h = "layers.0.h";
  const cases: readonly (readonly [string, string, (r: WindowRequest) => WindowRequest, number[], number[]])[] = [
    [`param "${p}" [4, 3]`, p, (r) => ({ ...r, params: { ...r.params, [p]: misshapen(ctx, [4, 3]) } }), [4, 3], [3, 3]],
    ['sequence "x" [4, 2, 4]', "x", (r) => ({ ...r, sequences: { ...r.sequences, x: misshapen(ctx, [T, B, 4]) } }), [T, B, 4], [T, B, 3]],
    ['sequence "y" with 3 rows', "y", (r) => ({ ...r, sequences: { ...r.sequences, y: misshapen(ctx, [T, 3, 2]) } }), [T, 3, 2], [T, B, 2]],
    [`initial state "${h}" [2, 4]`, h, (r) => ({ ...r, initialState: { ...r.initialState, [h]: misshapen(ctx, [B, 4]) } }), [B, 4], [B, 3]],
    ["mask [4, 3]", "mask", (r) => ({ ...r, mask: misshapen(ctx, [T, 3]) }), [T, 3], [T, B]],
  ];
  for (const [label, name, bend, got, want] of cases) {
    itRunning(ctx, `a misshapen ${label} rejects naming it and both shapes; the program still runs after`, rnn, {}, async () => {
      const loaded = await ctx.backend.load(rnn, { dtype: ctx.primary });
      try {
        const good = rnnRequest(ctx, rnn);
        const err = await rejection(() => loaded.runWindow(bend(good)));
        expect(err.message).toContain(name);
        expect(err.message).toContain(formatShape(got));
        expect(err.message).toContain(formatShape(want));
        // a rejected request leaves the program usable
        const after = await loaded.runWindow(good);
        expect(after.outputs.shape).toEqual([T, B, 2]);
        if (ctx.gradients) expect(after.grads).toBeDefined();
      } finally {
        await loaded.dispose();
      }
    });
  }

  itRunning(ctx, `a missing param rejects naming it and its shape`, rnn, {}, async () => {
    const loaded = await ctx.backend.load(rnn, { dtype: ctx.primary });
    try {
      const good = rnnRequest(ctx, rnn);
      const { [p]: _dropped, ...params } = good.params;
      const err = await rejection(() => loaded.runWindow({ ...good, params }));
      expect(err.message).toContain(p);
      expect(err.message).toContain(formatShape([3, 3]));
    } finally {
      await loaded.dispose();
    }
  });
}

/** A NaN in forward, found and named, with and without gradients and in a window that starts later. */
function describeNaN(ctx: SuiteContext, nan: NanModel): void {
  const { program } = nan;
  /** Six steps of x, positive except the poison at (step, row 1); w = 0.5 so the node is NaN there only. */
  const nanInputs = (step: number): { params: Record<string, Tensor>; data: SequenceData } => {
    const rand = rngFor("errors/nan");
    const params = castAll(randomParams(program, rand), ctx.primary);
    params.w.data[0] = 0.5;
    const x = randomTensor([6, B, 1], rand, positive);
    x.data[step * B + 1] = nan.poison;
    const sequences = { x: cast(x, ctx.primary), y: cast(randomTensor([6, B, 1], rand), ctx.primary) };
    return { params, data: { sequences } };
  };
  const nanRuns: readonly (readonly [string, boolean, (loaded: LoadedProgram, params: Record<string, Tensor>, data: SequenceData) => Promise<unknown>])[] = [
    ["forward only (runForward)", false, (loaded, params, data) => runForward(loaded, params, data, program)],
    ["with gradients (computeGradients, full)", true, (loaded, params, data) => computeGradients(loaded, program, params, data, { kind: "full" })],
    [
      "in a window starting at step 2 (firstStep 2): the step is counted from the sequence start",
      false,
      (loaded, params, data) =>
        loaded.runWindow({
          params,
          sequences: Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, sliceSteps(v, 2, 6)])),
          initialState: {},
          firstStep: 2,
          gradients: ctx.gradients,
        }),
    ],
  ];
  for (const [label, gradients, run] of nanRuns) {
    itRunning(ctx, `a NaN (${nan.name}) rejects with NonFiniteError naming node, op and step, ${label}`, program, { gradients }, async () => {
      const { params, data } = nanInputs(3);
      const loaded = await ctx.backend.load(program, { dtype: ctx.primary });
      try {
        await expectNonFinite(() => run(loaded, params, data), nan, 3);
      } finally {
        await loaded.dispose();
      }
    });
  }
}

/** What the backend does not declare (dtypes, gradients) rejects, naming it. */
function describeUndeclared(ctx: SuiteContext, rnn: CheckedProgram): void {
  const unsupported = ALL_DTYPES.filter((d) => !ctx.dtypes.includes(d));
  for (const dtype of unsupported) {
    itNeeding(ctx, `unsupported dtype ${dtype} (not declared in capabilities.dtypes): load rejects naming it`, {}, async () => {
      const err = await rejection(() => ctx.backend.load(rnn, { dtype }));
      expect(err.message).toContain(dtype);
    });
  }
  if (unsupported.length === 0) {
    ctx.registrar.skip(`unsupported dtype: none to reject (skipped: the backend declares every dtype, ${ctx.dtypes.join(" and ")})`);
  }
  const forwardOnly = "a forward-only backend (capabilities.gradients false) rejects a request with gradients: true";
  if (ctx.gradients) ctx.registrar.skip(`${forwardOnly} (skipped: the backend computes gradients)`);
  else {
    itRunning(ctx, forwardOnly, rnn, {}, async () => {
      const loaded = await ctx.backend.load(rnn, { dtype: ctx.primary });
      try {
        const err = await rejection(() => loaded.runWindow({ ...rnnRequest(ctx, rnn), gradients: true }));
        expect(err.message).toContain("gradients");
      } finally {
        await loaded.dispose();
      }
    });
  }
}

/**
 * Bad requests and bad values: a misshapen param, sequence, initial state or
 * mask rejects naming it and both shapes; a NaN rejects with a NonFiniteError
 * naming op and step; an undeclared dtype rejects at load, and a forward-only
 * backend rejects a request for gradients.
 */
export function describeErrors(ctx: SuiteContext): void {
  ctx.registrar.describe(`bad shapes and bad inputs (${ctx.primary})`, () => {
    const rnns = plainRnnCandidates();
    onFirstRunnable(ctx, "bad shapes", rnns, (rnn) => describeMisshapen(ctx, rnn.program));
    onFirstRunnable(ctx, "NaN checks", nanCandidates(), (nan) => describeNaN(ctx, nan));
    describeUndeclared(ctx, (chooseModel(ctx, rnns).chosen ?? rnns[0]).program);
  });
}
