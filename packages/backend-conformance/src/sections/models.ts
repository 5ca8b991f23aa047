import type { Dtype } from "@unroll/ir";
import { computeGradients, planWindows, runForward, type Backend, type Truncation } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { castData, modelData } from "../models/model-data.js";
import { modelCases, type ModelCase } from "../models/models.js";
import { statesEntering, truncatedObjective } from "../models/objective.js";
import { expectNoMismatches, recordMismatches, scalarMismatches, tensorMismatches } from "../support/compare.js";
import { directionMismatches, elementMismatches, sampleIndices } from "../support/finite-differences.js";
import { referenceForward } from "../support/reference.js";
import { castAll, randomParams, rngFor } from "../support/tensors.js";
import { FD_TOLERANCE, FORWARD_TOLERANCE, GRADIENT_TOLERANCE } from "../support/tolerance.js";
import { itRunning, type SuiteContext } from "../suite-context.js";

/** Sequence length and batch of the model checks. */
const T = 4;
const B = 2;
/** Elements checked per tensor by finite differences (first, last and random ones), plus random directions over all params. */
const ELEMENTS = 6;
const DIRECTIONS = 2;

/** Full BPTT, and two truncations whose windows overlap and start past step 0 (T = 4). */
function truncations(model: ModelCase): readonly (readonly [string, Truncation])[] {
  const full = ["full BPTT", { kind: "full" }] as const;
  if (!model.causal) return [full];
  return [full, ["chunked, window 3", { kind: "chunked", window: 3 }], ["BPTT(k1 = 2, k2 = 3)", { kind: "k1k2", k1: 2, k2: 3 }]];
}

/** Params and data of a model, drawn once in float64. */
function inputsOf(model: ModelCase) {
  const rand = rngFor(`${model.name}/inputs`);
  return { params: randomParams(model.program, rand), data: modelData(model.program, T, B, rand) };
}

/**
 * The backend's forward pass in `dtype` against the plain-loop float64
 * reference on the same (rounded) inputs: outputs, every state at every step in
 * time order (reverse stages included), final state and loss.
 */
export async function forwardMismatches(backend: Backend, model: ModelCase, dtype: Dtype): Promise<string[]> {
  const { program } = model;
  const inputs = inputsOf(model);
  const params = castAll(inputs.params, dtype);
  const data = castData(inputs.data, dtype);
  const refData = castData(data, "float64");
  const loaded = await backend.load(program, { dtype });
  try {
    const fwd = await runForward(loaded, params, data, program);
    const ref = referenceForward(program, castAll(params, "float64"), refData.sequences, refData.initialState);
    const tol = FORWARD_TOLERANCE[dtype];
    return [
      ...tensorMismatches("outputs", fwd.outputs, ref.outputs, tol, "sequence"),
      ...recordMismatches("states", fwd.states, ref.states, tol, "sequence"),
      ...recordMismatches("finalState", fwd.finalState, ref.finalState, tol, "rows"),
      ...scalarMismatches("loss", fwd.loss, ref.loss, tol),
    ];
  } finally {
    await loaded.dispose();
  }
}

/**
 * The backend's gradients in `dtype` against the CPU backend in float64 on the
 * same (rounded) inputs, under every truncation: loss, gradients, input and
 * initial-state gradients, and the states and final state of the run that
 * computed them (with gradients on, for full BPTT).
 */
export async function gradientMismatches(backend: Backend, model: ModelCase, dtype: Dtype): Promise<string[]> {
  const { program } = model;
  const inputs = inputsOf(model);
  const params = castAll(inputs.params, dtype);
  const data = castData(inputs.data, dtype);
  const loaded = await backend.load(program, { dtype });
  const cpu = createCpuBackend();
  const reference = await cpu.load(program, { dtype: "float64" });
  try {
    const problems: string[] = [];
    const tol = GRADIENT_TOLERANCE[dtype];
    for (const [label, tr] of truncations(model)) {
      const got = await computeGradients(loaded, program, params, data, tr);
      const want = await computeGradients(reference, program, castAll(params, "float64"), castData(data, "float64"), tr);
      problems.push(...scalarMismatches(`${label}: loss`, got.loss, want.loss, tol));
      problems.push(...recordMismatches(`${label}: grads`, got.grads, want.grads, tol));
      problems.push(...recordMismatches(`${label}: inputGrads`, got.inputGrads, want.inputGrads, tol, "sequence"));
      problems.push(...recordMismatches(`${label}: initialStateGrads`, got.initialStateGrads, want.initialStateGrads, tol, "rows"));
      problems.push(...recordMismatches(`${label}: states`, got.forward.states, want.forward.states, tol, "sequence"));
      problems.push(...recordMismatches(`${label}: finalState`, got.forward.finalState, want.forward.finalState, tol, "rows"));
    }
    return problems;
  } finally {
    await loaded.dispose();
    await cpu.dispose();
  }
}

/**
 * Gradients of the backend, through the scheduler, against central differences
 * of the objective the truncation defines, in float64: sampled elements of every
 * param, of x and of every initial state, and random directions over all params.
 */
async function checkFiniteDifferences(ctx: SuiteContext, model: ModelCase, label: string, truncation: Truncation): Promise<void> {
  const { program } = model;
  const { params, data } = inputsOf(model);
  const loaded = await ctx.backend.load(program, { dtype: "float64" });
  try {
    const res = await computeGradients(loaded, program, params, data, truncation);
    const entering = await statesEntering(loaded, program, params, data);
    const objective = truncatedObjective(loaded, params, data, planWindows(T, truncation), entering);
    const rand = rngFor(`${model.name}/${label}/directions`);
    // the gradients are those of the sum of the windows' means; the loss reported is the mean over all counted steps, one forward pass's
    const windowSum = res.windows.reduce((sum, w) => sum + w.loss, 0);
    const problems = scalarMismatches("sum of the window losses vs the objective", windowSum, await objective(), FD_TOLERANCE);
    problems.push(...scalarMismatches("loss vs one forward pass's", res.loss, (await runForward(loaded, params, data, program)).loss!, FD_TOLERANCE));
    const names = Object.keys(params).sort();
    if (Object.keys(res.grads).sort().join() !== names.join())
      problems.push(`grads for ${Object.keys(res.grads).sort().join(", ")}, expected ${names.join(", ")}`);
    for (const name of names) {
      const p = params[name];
      problems.push(...(await elementMismatches(`grads.${name}`, p, res.grads[name], sampleIndices(p.data.length, ELEMENTS, rand), objective)));
    }
    problems.push(...(await directionMismatches("grads", params, res.grads, DIRECTIONS, rand, objective)));
    for (const [name, x] of Object.entries(data.sequences)) {
      // class ids are not differentiable inputs
      if (x.shape.length > 2)
        problems.push(
          ...(await elementMismatches(`inputGrads.${name}`, x, res.inputGrads[name], sampleIndices(x.data.length, ELEMENTS, rand), objective, "sequence")),
        );
    }
    for (const [name, s] of Object.entries(data.initialState)) {
      problems.push(
        ...(await elementMismatches(
          `initialStateGrads.${name}`,
          s,
          res.initialStateGrads[name],
          sampleIndices(s.data.length, ELEMENTS, rand),
          objective,
          "rows",
        )),
      );
    }
    expectNoMismatches(problems);
  } finally {
    await loaded.dispose();
  }
}

/**
 * Every built-in cell (rnn tanh/relu/sigmoid, lstm, gru both ways, stacked,
 * bidirectional, heads with mse and cross-entropy) and a custom cell, T = 4,
 * B = 2, H = 3: forward (states in time order included) against the float64
 * reference in every declared dtype, gradients against the float64 CPU backend,
 * and against finite differences in float64, full and truncated.
 */
export function describeModels(ctx: SuiteContext): void {
  ctx.registrar.describe(`models: forward and gradients through the scheduler (T = ${T}, B = ${B}, H = 3)`, () => {
    for (const model of modelCases()) {
      for (const dtype of ctx.dtypes) {
        itRunning(
          ctx,
          `${model.name}: forward outputs, states (in time order), final state and loss match the float64 reference (${dtype})`,
          model.program,
          {},
          async () => expectNoMismatches(await forwardMismatches(ctx.backend, model, dtype)),
        );
        const names = truncations(model)
          .map(([l]) => l)
          .join(", ");
        itRunning(ctx, `${model.name}: loss and gradients (${names}) match the float64 reference (${dtype})`, model.program, { gradients: true }, async () =>
          expectNoMismatches(await gradientMismatches(ctx.backend, model, dtype)),
        );
      }
      for (const [label, truncation] of truncations(model)) {
        const name = `${model.name}: gradients match central finite differences (${label}, float64)`;
        itRunning(ctx, name, model.program, { gradients: true, dtype: "float64" }, () => checkFiniteDifferences(ctx, model, label, truncation));
      }
    }
  });
}
