import { describe, expect, it } from "vitest";
import { checkProgram, formatShape, GraphBuilder, loadProgram, programOfGraph, type CheckedProgram, type Tensor } from "@unroll/ir";
import { computeGradients, NonFiniteError, runForward, sliceSteps, type LoadedProgram, type SequenceData, type WindowRequest } from "@unroll/bptt";
import { castData, modelData } from "../models/model-data.js";
import { rejection } from "../support/rejection.js";
import { cast, castAll, positive, randomParams, randomTensor, rngFor } from "../support/tensors.js";
import { ALL_DTYPES, itNeeding, itRunning, type SuiteContext } from "../suite-context.js";

const T = 4;
const B = 2;
const rnn = loadProgram({ input: 3, layers: [{ cell: "rnn", hidden: 3 }], head: { units: 2, activation: "linear" }, loss: "mse" });

/** A valid request for the rnn in the suite's primary dtype, with gradients. */
function rnnRequest(ctx: SuiteContext): WindowRequest {
  const rand = rngFor("errors/rnn");
  const data = castData(modelData(rnn, T, B, rand), ctx.primary);
  return { params: castAll(randomParams(rnn, rand), ctx.primary), sequences: data.sequences, initialState: data.initialState, gradients: true };
}

/** A misshapen tensor of the suite's dtype. */
function misshapen(ctx: SuiteContext, shape: number[]): Tensor {
  return cast(randomTensor(shape, rngFor(`misshapen ${shape}`)), ctx.primary);
}

/**
 * `h' = tanh(h W_re + log(x w) W_in)`, `out = h' W_out`, mse: NaN exactly where
 * `x w < 0`, first in the node `logp` (log).
 */
function logModel(): CheckedProgram {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", 1]);
  const y = b.input("y", ["B", 1]);
  const h = b.carry("h", ["B", 2]);
  const logp = b.node("log", [b.matmul(x, b.param("w", [1, 1]))], undefined, "logp");
  const hNext = b.tanh(b.add(b.matmul(h, b.param("W_re", [2, 2])), b.matmul(logp, b.param("W_in", [1, 2]))));
  b.update(h, hNext);
  const out = b.matmul(hNext, b.param("W_out", [2, 1]));
  b.output("output", out);
  b.loss(b.mse(out, y));
  return checkProgram(programOfGraph(b.toGraph("log model")));
}

/** Expects a NonFiniteError naming the node, op, step and pass where the first non-finite value appeared. */
async function expectNonFinite(call: () => Promise<unknown>, step: number): Promise<void> {
  const err = await rejection(call);
  expect(err, `${err.name}: ${err.message}`).toBeInstanceOf(NonFiniteError);
  expect((err as NonFiniteError).site).toEqual({ node: "logp", op: "log", step, stage: 0, pass: "forward" });
  expect(err.message).toContain(`time step ${step}`);
  expect(err.message).toContain("log");
}

/**
 * Bad requests and bad values: a misshapen param, sequence, initial state or
 * mask rejects naming it and both shapes; a NaN rejects with a NonFiniteError
 * naming op and step; an undeclared dtype rejects at load.
 */
export function describeErrors(ctx: SuiteContext): void {
  describe(`bad shapes and bad inputs (${ctx.primary})`, () => {
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
      itRunning(ctx, `a misshapen ${label} rejects naming it and both shapes; the program still runs after`, rnn, async () => {
        const loaded = await ctx.backend.load(rnn, { dtype: ctx.primary });
        try {
          const good = rnnRequest(ctx);
          const err = await rejection(() => loaded.runWindow(bend(good)));
          expect(err.message).toContain(name);
          expect(err.message).toContain(formatShape(got));
          expect(err.message).toContain(formatShape(want));
          // a rejected request leaves the program usable
          expect((await loaded.runWindow(good)).grads).toBeDefined();
        } finally {
          await loaded.dispose();
        }
      });
    }

    itRunning(ctx, `a missing param rejects naming it and its shape`, rnn, async () => {
      const loaded = await ctx.backend.load(rnn, { dtype: ctx.primary });
      try {
        const good = rnnRequest(ctx);
        const { [p]: _dropped, ...params } = good.params;
        const err = await rejection(() => loaded.runWindow({ ...good, params }));
        expect(err.message).toContain(p);
        expect(err.message).toContain(formatShape([3, 3]));
      } finally {
        await loaded.dispose();
      }
    });

    const logProgram = logModel();
    /** Six steps of x, positive except one negative entry at (step, row 1); w = 0.5 so log(x w) is NaN there only. */
    const nanInputs = (step: number): { params: Record<string, Tensor>; data: SequenceData } => {
      const rand = rngFor("errors/nan");
      const params = castAll(randomParams(logProgram, rand), ctx.primary);
      params.w.data[0] = 0.5;
      const x = randomTensor([6, B, 1], rand, positive);
      x.data[step * B + 1] = -1;
      const sequences = { x: cast(x, ctx.primary), y: cast(randomTensor([6, B, 1], rand), ctx.primary) };
      return { params, data: { sequences } };
    };
    const nanRuns: readonly (readonly [string, (loaded: LoadedProgram, params: Record<string, Tensor>, data: SequenceData) => Promise<unknown>])[] = [
      ["forward only (runForward)", (loaded, params, data) => runForward(loaded, params, data, logProgram)],
      ["with gradients (computeGradients, full)", (loaded, params, data) => computeGradients(loaded, logProgram, params, data, { kind: "full" })],
      [
        "in a window starting at step 2 (firstStep 2): the step is counted from the sequence start",
        (loaded, params, data) =>
          loaded.runWindow({ params, sequences: Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, sliceSteps(v, 2, 6)])), initialState: {}, firstStep: 2, gradients: true }),
      ],
    ];
    for (const [label, run] of nanRuns) {
      itRunning(ctx, `a NaN rejects with NonFiniteError naming node, op and step, ${label}`, logProgram, async () => {
        const { params, data } = nanInputs(3);
        const loaded = await ctx.backend.load(logProgram, { dtype: ctx.primary });
        try {
          await expectNonFinite(() => run(loaded, params, data), 3);
        } finally {
          await loaded.dispose();
        }
      });
    }

    const unsupported = ALL_DTYPES.filter((d) => !ctx.dtypes.includes(d));
    for (const dtype of unsupported) {
      itNeeding(ctx, `unsupported dtype ${dtype} (not declared in capabilities.dtypes): load rejects naming it`, [], async () => {
        const err = await rejection(() => ctx.backend.load(rnn, { dtype }));
        expect(err.message).toContain(dtype);
      });
    }
    if (unsupported.length === 0) {
      it.skip(`unsupported dtype: none to reject (skipped: the backend declares every dtype, ${ctx.dtypes.join(" and ")})`, () => {});
    }
  });
}
