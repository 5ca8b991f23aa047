import { expect } from "vitest";
import { formatShape, type Dtype, type Tensor } from "@unroll/ir";
import { computeGradients, maskOfLengths, sliceSteps, type Backend, type LoadedProgram, type WindowRequest, type WindowResult } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { bidirectionalCandidates, causalCandidates } from "../models/candidates.js";
import { castData, modelData, type ModelData } from "../models/model-data.js";
import { modelCases, type ModelCase } from "../models/models.js";
import { expectNoMismatches, recordMismatches, scalarMismatches, sensitivityMismatches, tensorMismatches } from "../support/compare.js";
import { rejection } from "../support/rejection.js";
import { forwardResultMismatches } from "../support/same-backend.js";
import { cast, castAll, randomParams, randomTensor, rngFor } from "../support/tensors.js";
import { GRADIENT_TOLERANCE, SAME_BACKEND_TOLERANCE } from "../support/tolerance.js";
import { itNeeding, itRunning, onFirstRunnable, opsOfRtrl, type SuiteContext } from "../suite-context.js";

const T = 5;
const B = 4;
/** A row cut in the first window, a row with no counted step, and two that reach into the second. */
const LENGTHS = [5, 1, 4, 0];
/** Where the carried check cuts the sequence: windows [0, 3) and [3, 5). */
const CUT = 3;
const FULL = { kind: "full" } as const;

/** A causal model, with lengths or without, whose RTRL gradients are checked. */
export interface RtrlCase {
  /** Shown in test names. */
  readonly name: string;
  /** The model. */
  readonly model: ModelCase;
  /** Each row's length, for a masked batch. */
  readonly lengths?: readonly number[];
}

/** Every causal model of the suite (each built-in cell, stacked, the custom cell), and a masked batch on the lstm and the stacked model. */
function rtrlCases(): readonly RtrlCase[] {
  const causal = modelCases().filter((m) => m.causal);
  const named = (prefix: string): ModelCase => {
    const m = causal.find((c) => c.name.startsWith(prefix));
    if (!m) throw new Error(`no causal model named "${prefix}…"`);
    return m;
  };
  const masked = [named("lstm"), named("stacked")].map((model) => ({
    name: `${model.name}, masked batch (lengths ${LENGTHS.join(", ")})`,
    model,
    lengths: LENGTHS,
  }));
  return [...causal.map((model) => ({ name: model.name, model })), ...masked];
}

/** Params and data of a check in `dtype`, drawn once in float64 from `seed`. */
function inputsOf(c: Pick<RtrlCase, "model" | "lengths">, dtype: Dtype, seed: string): { params: Record<string, Tensor>; data: ModelData } {
  const rand = rngFor(`rtrl/${seed}/${c.model.name}`);
  const params = castAll(randomParams(c.model.program, rand), dtype);
  const data = castData({ ...modelData(c.model.program, T, B, rand), ...(c.lengths ? { lengths: c.lengths } : {}) }, dtype);
  return { params, data };
}

/** What an RTRL window returns that BPTT's does not, and what it must not return. */
function rtrlResultMismatches(label: string, r: WindowResult): string[] {
  const problems: string[] = [];
  if (!r.grads) problems.push(`${label}: no grads`);
  if (!r.sensitivities) problems.push(`${label}: no sensitivities`);
  if (r.inputGrads !== undefined) problems.push(`${label}: inputGrads, which RTRL does not compute`);
  if (r.initialStateGrads !== undefined) problems.push(`${label}: initialStateGrads, which RTRL does not compute`);
  return problems;
}

/**
 * The backend's RTRL gradients in `dtype` against its own full BPTT (same
 * inputs) and the float64 CPU backend's full BPTT (the inputs rounded to
 * `dtype`), its forward pass against its BPTT's, and the sensitivities
 * leaving the window against the float64 CPU backend's RTRL.
 */
export async function rtrlMismatches(backend: Backend, c: RtrlCase, dtype: Dtype): Promise<string[]> {
  const { program } = c.model;
  const { params, data } = inputsOf(c, dtype, "gradients");
  const loaded = await backend.load(program, { dtype });
  const cpu = createCpuBackend();
  const reference = await cpu.load(program, { dtype: "float64" });
  try {
    const rtrl = await computeGradients(loaded, program, params, data, FULL, { method: "rtrl" });
    const bptt = await computeGradients(loaded, program, params, data, FULL);
    const refParams = castAll(params, "float64");
    const refData = castData(data, "float64");
    const refBptt = await computeGradients(reference, program, refParams, refData, FULL);
    const refRtrl = await computeGradients(reference, program, refParams, refData, FULL, { method: "rtrl" });
    const tol = GRADIENT_TOLERANCE[dtype];
    return [
      ...rtrlResultMismatches("RTRL", rtrl.forward),
      ...recordMismatches("RTRL grads vs the backend's full BPTT", rtrl.grads, bptt.grads, tol),
      ...forwardResultMismatches(rtrl.forward, bptt.forward, SAME_BACKEND_TOLERANCE[dtype]).map((m) => `RTRL vs the backend's full BPTT: ${m}`),
      ...scalarMismatches("RTRL loss vs the float64 reference", rtrl.loss, refBptt.loss, tol),
      ...recordMismatches("RTRL grads vs the float64 reference's full BPTT", rtrl.grads, refBptt.grads, tol),
      ...sensitivityMismatches("sensitivities vs the float64 reference's", rtrl.forward.sensitivities, refRtrl.forward.sensitivities ?? {}, tol),
    ];
  } finally {
    await loaded.dispose();
    await cpu.dispose();
  }
}

/** An RTRL window request over steps [from, to) of `data`. */
function windowRequest(
  params: Record<string, Tensor>,
  data: ModelData,
  dtype: Dtype,
  from: number,
  to: number,
  extra: Partial<WindowRequest> = {},
): WindowRequest {
  return {
    params,
    sequences: Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, sliceSteps(v, from, to)])),
    initialState: data.initialState,
    ...(data.lengths ? { mask: sliceSteps(maskOfLengths(data.lengths, T, dtype), from, to) } : {}),
    gradients: true,
    method: "rtrl",
    ...extra,
  };
}

/**
 * Two RTRL windows, [0, 3) then [3, 5), the second entering with the first's
 * final state and sensitivities, both dividing by the whole sequence's
 * counted rows (`lossRowsTotal`), against one window over [0, 5): the
 * gradients and losses add up to its, the outputs are its steps, the final
 * state and the sensitivities leaving are its; and the summed gradients equal
 * the backend's full BPTT.
 */
export async function carriedMismatches(backend: Backend, c: Pick<RtrlCase, "model" | "lengths">, dtype: Dtype): Promise<string[]> {
  const { program } = c.model;
  const { params, data } = inputsOf(c, dtype, "carried");
  const loaded = await backend.load(program, { dtype });
  try {
    const same = SAME_BACKEND_TOLERANCE[dtype];
    const whole = await loaded.runWindow(windowRequest(params, data, dtype, 0, T));
    const first = await loaded.runWindow(windowRequest(params, data, dtype, 0, CUT, { lossRowsTotal: whole.lossRows }));
    const problems = [...rtrlResultMismatches("one window", whole), ...rtrlResultMismatches("first window", first)];
    if (problems.length > 0) return problems;
    const second = await loaded.runWindow(
      windowRequest(params, data, dtype, CUT, T, {
        initialState: first.finalState,
        sensitivities: first.sensitivities!,
        lossRowsTotal: whole.lossRows,
        firstStep: CUT,
      }),
    );
    problems.push(...rtrlResultMismatches("second window", second));
    if (problems.length > 0) return problems;
    const sum = Object.fromEntries(
      Object.entries(whole.grads!).map(([k, g]) => [
        k,
        { shape: [...g.shape], data: g.data.map((_, i) => first.grads![k].data[i] + second.grads![k].data[i]) },
      ]),
    );
    const bptt = await computeGradients(loaded, program, params, data, FULL);
    if (first.lossRows + second.lossRows !== whole.lossRows)
      problems.push(`lossRows: ${first.lossRows} + ${second.lossRows}, expected the whole sequence's ${whole.lossRows}`);
    problems.push(
      ...scalarMismatches("loss of both windows", first.loss! + second.loss!, whole.loss, same),
      ...recordMismatches("grads of both windows vs one window", sum, whole.grads!, same),
      ...recordMismatches("grads of both windows vs full BPTT", sum, bptt.grads, GRADIENT_TOLERANCE[dtype]),
      ...tensorMismatches(`outputs [0, ${CUT})`, first.outputs, sliceSteps(whole.outputs, 0, CUT), same, "sequence"),
      ...tensorMismatches(`outputs [${CUT}, ${T})`, second.outputs, sliceSteps(whole.outputs, CUT, T), same, "sequence"),
      ...recordMismatches("finalState", second.finalState, whole.finalState, same, "rows"),
      ...sensitivityMismatches("sensitivities leaving", second.sensitivities, whole.sensitivities!, same),
    );
    return problems;
  } finally {
    await loaded.dispose();
  }
}

/** Runs `body` on `model` loaded in the suite's primary dtype with params and data, and disposes it after. */
async function withLoaded(ctx: SuiteContext, model: ModelCase, body: (loaded: LoadedProgram, good: WindowRequest) => Promise<void>): Promise<void> {
  const { params, data } = inputsOf({ model }, ctx.primary, "errors");
  const loaded = await ctx.backend.load(model.program, { dtype: ctx.primary });
  try {
    await body(loaded, { params, sequences: data.sequences, initialState: data.initialState, gradients: true });
  } finally {
    await loaded.dispose();
  }
}

/** RTRL on a model that reads the future rejects, saying it needs a causal one; the program still runs BPTT after. */
function describeNonCausal(ctx: SuiteContext, model: ModelCase): void {
  const name = `${model.name}: a request with method "rtrl" rejects, saying RTRL needs a causal model; BPTT still runs after`;
  itRunning(ctx, name, model.program, { gradients: true }, () =>
    withLoaded(ctx, model, async (loaded, good) => {
      const err = await rejection(() => loaded.runWindow({ ...good, method: "rtrl" }));
      expect(err.message).toContain("causal");
      expect((await loaded.runWindow(good)).grads).toBeDefined();
    }),
  );
}

/** A sensitivity of the wrong shape rejects naming it (its state and param) and both shapes; the program still runs after. */
function describeMisshapen(ctx: SuiteContext, model: ModelCase): void {
  const name = `${model.name}: a sensitivity of the wrong shape rejects naming its state, its param and both shapes; the program still runs after`;
  itNeeding(ctx, name, { ops: opsOfRtrl(model.program), gradients: true }, () =>
    withLoaded(ctx, model, async (loaded, good) => {
      const first = await loaded.runWindow({ ...good, method: "rtrl" });
      expectNoMismatches(rtrlResultMismatches("RTRL", first));
      const param = Object.keys(first.sensitivities!).sort()[0];
      const state = Object.keys(first.sensitivities![param]).sort()[0];
      const want = first.sensitivities![param][state].shape;
      const got = [want[0], want[1] + 1, ...want.slice(2)];
      const bent = cast(randomTensor(got, rngFor("rtrl/misshapen")), ctx.primary);
      const next = { ...good, method: "rtrl", initialState: first.finalState } as const;
      const err = await rejection(() =>
        loaded.runWindow({ ...next, sensitivities: { ...first.sensitivities, [param]: { ...first.sensitivities![param], [state]: bent } } }),
      );
      expect(err.message).toContain(`"${state}"`);
      expect(err.message).toContain(`"${param}"`);
      expect(err.message).toContain(formatShape(got));
      expect(err.message).toContain(formatShape(want));
      expectNoMismatches(rtrlResultMismatches("after", await loaded.runWindow({ ...next, sensitivities: first.sensitivities! })));
    }),
  );
}

/**
 * Real-time recurrent learning (`method: "rtrl"`), in every declared dtype:
 * its gradients equal full BPTT's, of the backend itself and of the float64
 * CPU backend, for every causal model of the suite (each built-in cell,
 * stacked, a custom cell) and for masked batches, and its sensitivities
 * equal the CPU backend's; a sequence run as two windows that carry the
 * final state and sensitivities adds up to one window. A bidirectional model
 * and a misshapen sensitivity reject. Every check asks for gradients, so a
 * forward-only backend reports them all as skipped.
 */
export function describeRtrl(ctx: SuiteContext): void {
  ctx.registrar.describe(`RTRL: gradients carried forward in time equal BPTT's (T = ${T}, B = ${B})`, () => {
    for (const c of rtrlCases()) {
      const ops = opsOfRtrl(c.model.program);
      for (const dtype of ctx.dtypes) {
        itNeeding(
          ctx,
          `${c.name}: RTRL gradients equal full BPTT's (the backend's and the float64 reference's), sensitivities the reference's (${dtype})`,
          { ops, gradients: true },
          async () => expectNoMismatches(await rtrlMismatches(ctx.backend, c, dtype)),
        );
      }
    }
    onFirstRunnable(
      ctx,
      "RTRL over two windows",
      causalCandidates(),
      (model) => {
        const ops = opsOfRtrl(model.program);
        for (const lengths of [undefined, LENGTHS]) {
          for (const dtype of ctx.dtypes) {
            const what = lengths ? `, masked batch (lengths ${LENGTHS.join(", ")})` : "";
            itNeeding(
              ctx,
              `${model.name}${what}: two RTRL windows carrying final state and sensitivities, with lossRowsTotal, add up to one window and to full BPTT (${dtype})`,
              { ops, gradients: true },
              async () => expectNoMismatches(await carriedMismatches(ctx.backend, { model, ...(lengths ? { lengths } : {}) }, dtype)),
            );
          }
        }
        describeMisshapen(ctx, model);
      },
      opsOfRtrl,
    );
    onFirstRunnable(ctx, "RTRL on a bidirectional model", bidirectionalCandidates(), (model) => describeNonCausal(ctx, model));
  });
}
