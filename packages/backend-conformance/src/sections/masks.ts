import { describe, expect } from "vitest";
import { loadProgram, sizeOf, type Tensor } from "@unroll/ir";
import { computeGradients, selectRows, sliceSteps, type GradientResult, type Truncation } from "@unroll/bptt";
import { castData, modelData, type ModelData } from "../models/model-data.js";
import { customCell } from "../models/models.js";
import { expectNoMismatches, recordMismatches, scalarMismatches, tensorMismatches } from "../support/compare.js";
import { castAll, randomParams, rngFor } from "../support/tensors.js";
import { SAME_BACKEND_TOLERANCE } from "../support/tolerance.js";
import { itRunning, type SuiteContext } from "../suite-context.js";

const T = 4;
const lengths = [4, 1, 3];
const B = lengths.length;
const counted = lengths.reduce((a, b) => a + b, 0);

const models = [
  { name: "lstm, mse", program: loadProgram({ input: 3, layers: [{ cell: "lstm", hidden: 3 }], head: { units: 2, activation: "linear" }, loss: "mse" }) },
  {
    name: "bidirectional gru, softmax head, cross_entropy",
    program: loadProgram({ input: 3, layers: [{ cell: "gru", hidden: 3, bidirectional: true }], head: { units: 3, activation: "softmax" }, loss: "cross_entropy" }),
  },
  { name: "custom gated cell, mse", program: customCell() },
];

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

/**
 * Sequences with lengths (a mask): steps past a row's length give zero outputs,
 * and the loss and gradients are those of each row run alone at its own length,
 * weighted by its share of the counted steps.
 */
export function describeMasks(ctx: SuiteContext): void {
  const tol = SAME_BACKEND_TOLERANCE[ctx.primary];
  describe(`lengths and masks (T = ${T}, lengths ${lengths.join(", ")}, ${ctx.primary})`, () => {
    for (const { name, program } of models) {
      itRunning(ctx, `${name}: masked steps give zero outputs, and loss and gradients equal each row run alone at its length`, program, async () => {
        const rand = rngFor(`masks/${name}`);
        const params = castAll(randomParams(program, rand), ctx.primary);
        const data = castData(modelData(program, T, B, rand), ctx.primary);
        // garbage in the padding; class ids must stay valid ids
        fillPadding(data, (seq) => (data.sequences[seq].shape.length === 2 ? 0 : 50));
        const loaded = await ctx.backend.load(program, { dtype: ctx.primary });
        try {
          const res = await computeGradients(loaded, program, params, { ...data, lengths }, { kind: "full" });
          const alone: GradientResult[] = [];
          for (let b = 0; b < B; b++) alone.push(await computeGradients(loaded, program, params, rowAlone(data, b), { kind: "full" }));
          const share = lengths.map((len) => len / counted);
          const problems: string[] = [];
          const out = res.forward.outputs;
          for (let b = 0; b < B; b++) {
            const row = selectRows(out, b, b + 1, 1);
            const padding = Array.from(sliceSteps(row, lengths[b], T).data);
            if (padding.some((v) => v !== 0)) problems.push(`outputs of row ${b} past its length ${lengths[b]}: ${padding.join(", ")}, expected zeros`);
            problems.push(...tensorMismatches(`outputs of row ${b}`, sliceSteps(row, 0, lengths[b]), alone[b].forward.outputs, tol, "sequence"));
            for (const [s, v] of Object.entries(res.forward.finalState)) problems.push(...tensorMismatches(`finalState.${s} of row ${b}`, selectRows(v, b, b + 1, 0), alone[b].forward.finalState[s], tol, "rows"));
            for (const [s, g] of Object.entries(res.initialStateGrads)) {
              const want = weightedSum([alone[b].initialStateGrads[s]], [share[b]]);
              problems.push(...tensorMismatches(`initialStateGrads.${s} of row ${b}`, selectRows(g, b, b + 1, 0), want, tol, "rows"));
            }
            const x = selectRows(res.inputGrads.x, b, b + 1, 1);
            if (Array.from(sliceSteps(x, lengths[b], T).data).some((v) => v !== 0)) problems.push(`inputGrads.x of row ${b} past its length: not zero`);
            problems.push(...tensorMismatches(`inputGrads.x of row ${b}`, sliceSteps(x, 0, lengths[b]), weightedSum([alone[b].inputGrads.x], [share[b]]), tol, "sequence"));
          }
          problems.push(...scalarMismatches("loss", res.loss, alone.reduce((a, r, b) => a + share[b] * r.loss, 0), tol));
          const grads = Object.fromEntries(Object.keys(params).map((p) => [p, weightedSum(alone.map((r) => r.grads[p]), share)]));
          problems.push(...recordMismatches("grads", res.grads, grads, tol));
          expectNoMismatches(problems);
        } finally {
          await loaded.dispose();
        }
      });
    }

    const { program } = models[0];
    itRunning(ctx, "lstm: under truncation (chunked 2, BPTT(2, 3)) the padding's values change nothing and get zero gradient", program, async () => {
      const rand = rngFor("masks/truncated");
      const params = castAll(randomParams(program, rand), ctx.primary);
      const data = castData(modelData(program, T, B, rand), ctx.primary);
      const loaded = await ctx.backend.load(program, { dtype: ctx.primary });
      try {
        for (const tr of [{ kind: "chunked", window: 2 }, { kind: "k1k2", k1: 2, k2: 3 }] as const satisfies readonly Truncation[]) {
          fillPadding(data, () => 0);
          const before = await computeGradients(loaded, program, params, { ...data, lengths }, tr);
          fillPadding(data, (seq) => (seq === "x" ? 1e3 : -1e3));
          const after = await computeGradients(loaded, program, params, { ...data, lengths }, tr);
          const x = after.inputGrads.x;
          const inner = sizeOf(x.shape.slice(2));
          for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
            const g = Array.from(x.data.subarray((t * B + b) * inner, (t * B + b + 1) * inner));
            if (t >= lengths[b]) expect(g.every((v) => v === 0), `${tr.kind}: inputGrads.x at padded step ${t} of row ${b} is ${g.join(", ")}`).toBe(true);
          }
          expectNoMismatches([...scalarMismatches(`${tr.kind}: loss`, after.loss, before.loss, tol), ...recordMismatches(`${tr.kind}: grads`, after.grads, before.grads, tol)]);
        }
      } finally {
        await loaded.dispose();
      }
    });
  });
}
