import { expect } from "vitest";
import { sizeOf, type Dtype, type Tensor } from "@unroll/ir";
import { computeGradients, runForward, selectRows, sliceSteps, type Backend, type GradientResult, type Truncation } from "@unroll/bptt";
import { bidirectionalCandidates, causalCandidates } from "../models/candidates.js";
import { castData, modelData, type ModelData } from "../models/model-data.js";
import type { ModelCase } from "../models/models.js";
import { expectNoMismatches, recordMismatches, scalarMismatches, tensorMismatches } from "../support/compare.js";
import { castAll, randomParams, rngFor } from "../support/tensors.js";
import { SAME_BACKEND_TOLERANCE } from "../support/tolerance.js";
import { itRunning, onFirstRunnable, type SuiteContext } from "../suite-context.js";

const T = 4;
const lengths = [4, 1, 3];
const B = lengths.length;
const counted = lengths.reduce((a, b) => a + b, 0);

/** Writes `value` into every step at or past each row's length: padding that must not matter. */
function fillPadding(data: ModelData, value: (name: string) => number): void {
  for (const [name, seq] of Object.entries(data.sequences)) {
    const inner = sizeOf(seq.shape.slice(2));
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (t >= lengths[b]) seq.data.fill(value(name), (t * B + b) * inner, (t * B + b + 1) * inner);
  }
}

/** Row b of the data, cut to its own length. */
function rowAlone(data: ModelData, b: number): ModelData {
  const len = lengths[b];
  return {
    sequences: Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, sliceSteps(selectRows(v, b, b + 1, 1), 0, len)])),
    initialState: Object.fromEntries(Object.entries(data.initialState).map(([k, v]) => [k, selectRows(v, b, b + 1, 0)])),
  };
}

/** `Σ_b w_b · parts[b]` for tensors of one shape. */
function weightedSum(parts: readonly Tensor[], weights: readonly number[]): Tensor {
  const data = new Float64Array(parts[0].data.length);
  parts.forEach((p, b) => p.data.forEach((v, i) => (data[i] += weights[b] * v)));
  return { shape: [...parts[0].shape], data };
}

/** Params and data of a masked check, with garbage in the padding (class ids stay valid ids). */
function maskedInputs(model: ModelCase, dtype: Dtype): { params: Record<string, Tensor>; data: ModelData } {
  const rand = rngFor(`masks/${model.name}`);
  const params = castAll(randomParams(model.program, rand), dtype);
  const data = castData(modelData(model.program, T, B, rand), dtype);
  fillPadding(data, (seq) => (data.sequences[seq].shape.length === 2 ? 0 : 50));
  return { params, data };
}

/** Each row's share of the counted steps. */
const share = lengths.map((len) => len / counted);

/**
 * The forward pass with lengths against each row run alone at its length:
 * exactly zero outputs past a row's length, and outputs, states (each row's own
 * steps, in time order), final state and loss.
 */
export async function maskedForwardMismatches(backend: Backend, model: ModelCase, dtype: Dtype): Promise<string[]> {
  const { program } = model;
  const tol = SAME_BACKEND_TOLERANCE[dtype];
  const { params, data } = maskedInputs(model, dtype);
  const loaded = await backend.load(program, { dtype });
  try {
    const res = await runForward(loaded, params, { ...data, lengths }, program);
    const problems: string[] = [];
    let loss = 0;
    for (let b = 0; b < B; b++) {
      const alone = await runForward(loaded, params, rowAlone(data, b), program);
      loss += share[b] * alone.loss!;
      const row = selectRows(res.outputs, b, b + 1, 1);
      const padding = Array.from(sliceSteps(row, lengths[b], T).data);
      if (padding.some((v) => v !== 0)) problems.push(`outputs of row ${b} past its length ${lengths[b]}: ${padding.join(", ")}, expected zeros`);
      problems.push(...tensorMismatches(`outputs of row ${b}`, sliceSteps(row, 0, lengths[b]), alone.outputs, tol, "sequence"));
      for (const [s, v] of Object.entries(res.states))
        problems.push(...tensorMismatches(`states.${s} of row ${b}`, sliceSteps(selectRows(v, b, b + 1, 1), 0, lengths[b]), alone.states[s], tol, "sequence"));
      for (const [s, v] of Object.entries(res.finalState))
        problems.push(...tensorMismatches(`finalState.${s} of row ${b}`, selectRows(v, b, b + 1, 0), alone.finalState[s], tol, "rows"));
    }
    problems.push(...scalarMismatches("loss", res.loss, loss, tol));
    return problems;
  } finally {
    await loaded.dispose();
  }
}

/**
 * Gradients with lengths against each row run alone at its length, weighted by
 * its share of the counted steps: params, input and initial-state gradients,
 * and exactly zero input gradients past a row's length.
 */
export async function maskedGradientMismatches(backend: Backend, model: ModelCase, dtype: Dtype): Promise<string[]> {
  const { program } = model;
  const tol = SAME_BACKEND_TOLERANCE[dtype];
  const { params, data } = maskedInputs(model, dtype);
  const loaded = await backend.load(program, { dtype });
  try {
    const res = await computeGradients(loaded, program, params, { ...data, lengths }, { kind: "full" });
    const alone: GradientResult[] = [];
    for (let b = 0; b < B; b++) alone.push(await computeGradients(loaded, program, params, rowAlone(data, b), { kind: "full" }));
    const problems: string[] = [];
    for (let b = 0; b < B; b++) {
      for (const [s, g] of Object.entries(res.initialStateGrads)) {
        problems.push(
          ...tensorMismatches(
            `initialStateGrads.${s} of row ${b}`,
            selectRows(g, b, b + 1, 0),
            weightedSum([alone[b].initialStateGrads[s]], [share[b]]),
            tol,
            "rows",
          ),
        );
      }
      const x = selectRows(res.inputGrads.x, b, b + 1, 1);
      if (Array.from(sliceSteps(x, lengths[b], T).data).some((v) => v !== 0)) problems.push(`inputGrads.x of row ${b} past its length: not zero`);
      problems.push(
        ...tensorMismatches(`inputGrads.x of row ${b}`, sliceSteps(x, 0, lengths[b]), weightedSum([alone[b].inputGrads.x], [share[b]]), tol, "sequence"),
      );
    }
    problems.push(
      ...scalarMismatches(
        "loss",
        res.loss,
        alone.reduce((a, r, b) => a + share[b] * r.loss, 0),
        tol,
      ),
    );
    const grads = Object.fromEntries(
      Object.keys(params).map((p) => [
        p,
        weightedSum(
          alone.map((r) => r.grads[p]),
          share,
        ),
      ]),
    );
    problems.push(...recordMismatches("grads", res.grads, grads, tol));
    return problems;
  } finally {
    await loaded.dispose();
  }
}

/** The masked forward and gradient checks on `model`. */
function describeMasked(ctx: SuiteContext, model: ModelCase): void {
  itRunning(
    ctx,
    `${model.name}: masked steps give zero outputs; outputs, states, final state and loss equal each row run alone at its length`,
    model.program,
    {},
    async () => expectNoMismatches(await maskedForwardMismatches(ctx.backend, model, ctx.primary)),
  );
  itRunning(
    ctx,
    `${model.name}: with lengths, gradients equal each row run alone at its length, weighted by its share of the counted steps`,
    model.program,
    { gradients: true },
    async () => expectNoMismatches(await maskedGradientMismatches(ctx.backend, model, ctx.primary)),
  );
}

/** Under truncation, the padding's values change nothing and get zero gradient. */
function describeTruncatedPadding(ctx: SuiteContext, model: ModelCase): void {
  const { program } = model;
  const tol = SAME_BACKEND_TOLERANCE[ctx.primary];
  itRunning(
    ctx,
    `${model.name}: under truncation (chunked 2, BPTT(2, 3)) the padding's values change nothing and get zero gradient`,
    program,
    { gradients: true },
    async () => {
      const rand = rngFor("masks/truncated");
      const params = castAll(randomParams(program, rand), ctx.primary);
      const data = castData(modelData(program, T, B, rand), ctx.primary);
      const loaded = await ctx.backend.load(program, { dtype: ctx.primary });
      try {
        for (const tr of [
          { kind: "chunked", window: 2 },
          { kind: "k1k2", k1: 2, k2: 3 },
        ] as const satisfies readonly Truncation[]) {
          fillPadding(data, () => 0);
          const before = await computeGradients(loaded, program, params, { ...data, lengths }, tr);
          fillPadding(data, (seq) => (seq === "x" ? 1e3 : -1e3));
          const after = await computeGradients(loaded, program, params, { ...data, lengths }, tr);
          const x = after.inputGrads.x;
          const inner = sizeOf(x.shape.slice(2));
          for (let t = 0; t < T; t++)
            for (let b = 0; b < B; b++) {
              const g = Array.from(x.data.subarray((t * B + b) * inner, (t * B + b + 1) * inner));
              if (t >= lengths[b])
                expect(
                  g.every((v) => v === 0),
                  `${tr.kind}: inputGrads.x at padded step ${t} of row ${b} is ${g.join(", ")}`,
                ).toBe(true);
            }
          expectNoMismatches([
            ...scalarMismatches(`${tr.kind}: loss`, after.loss, before.loss, tol),
            ...recordMismatches(`${tr.kind}: grads`, after.grads, before.grads, tol),
          ]);
        }
      } finally {
        await loaded.dispose();
      }
    },
  );
}

/**
 * Sequences with lengths (a mask), on the simplest causal and bidirectional
 * models the backend runs: steps past a row's length give zero outputs, and
 * outputs, states, loss and gradients are those of each row run alone at its
 * own length, weighted by its share of the counted steps.
 */
export function describeMasks(ctx: SuiteContext): void {
  ctx.registrar.describe(`lengths and masks (T = ${T}, lengths ${lengths.join(", ")}, ${ctx.primary})`, () => {
    onFirstRunnable(ctx, "masks", causalCandidates(), (model) => {
      describeMasked(ctx, model);
      describeTruncatedPadding(ctx, model);
    });
    onFirstRunnable(ctx, "masks, bidirectional", bidirectionalCandidates(), (model) => describeMasked(ctx, model));
  });
}
