import { expect } from "vitest";
import type { Tensor } from "@unroll/ir";
import { computeGradients, runForward, selectRows, sliceSteps, type Truncation, type WindowResult } from "@unroll/bptt";
import { causalCandidates } from "../models/candidates.js";
import type { ModelCase } from "../models/models.js";
import { expectNoMismatches, recordMismatches, scalarMismatches, tensorMismatches } from "../support/compare.js";
import { gradientResultMismatches, withSetup, type SameBackendSetup } from "../support/same-backend.js";
import { itRunning, onFirstRunnable, type Needs, type SuiteContext } from "../suite-context.js";

const T = 7;
const B = 3;

/** Rows [0, 2) and [2, 3) of every sequence and initial state. */
const PARTS = [
  [0, 2],
  [2, 3],
] as const;

/** The equivalence tests on one causal model. */
function describeOn(ctx: SuiteContext, model: ModelCase): void {
  const { program } = model;
  const test = (name: string, needs: Omit<Needs, "ops">, body: (s: SameBackendSetup) => Promise<void>) =>
    itRunning(ctx, `${model.name}: ${name}`, program, needs, () => withSetup(ctx.backend, model, ctx.primary, { steps: T, batch: B }, name, body));

  test("chunked K equals BPTT(K, K): loss, gradients and every window (K = 2, 3)", { gradients: true }, async ({ loaded, params, data, tol }) => {
    for (const K of [2, 3]) {
      const a = await computeGradients(loaded, program, params, data, { kind: "chunked", window: K });
      const b = await computeGradients(loaded, program, params, data, { kind: "k1k2", k1: K, k2: K });
      expect(a.windows.length).toBe(Math.ceil(T / K));
      expectNoMismatches(gradientResultMismatches(a, b, tol).map((m) => `K = ${K}: ${m}`));
    }
  });

  test("K >= T equals full BPTT (chunked T, chunked T + 2, BPTT(T, T + 3))", { gradients: true }, async ({ loaded, params, data, tol }) => {
    const full = await computeGradients(loaded, program, params, data, { kind: "full" });
    const cases: Truncation[] = [
      { kind: "chunked", window: T },
      { kind: "chunked", window: T + 2 },
      { kind: "k1k2", k1: T, k2: T + 3 },
    ];
    for (const tr of cases) {
      const r = await computeGradients(loaded, program, params, data, tr);
      expect(r.windows.length).toBe(1);
      expectNoMismatches(gradientResultMismatches(r, full, tol).map((m) => `${JSON.stringify(tr)}: ${m}`));
    }
  });

  test("a truncated gradient differs from the full one (the cut is real)", { gradients: true }, async ({ loaded, params, data, tol }) => {
    const full = await computeGradients(loaded, program, params, data, { kind: "full" });
    const cut = await computeGradients(loaded, program, params, data, { kind: "chunked", window: 2 });
    expect(recordMismatches("grads", cut.grads, full.grads, tol).length).toBeGreaterThan(0);
  });

  test(
    "a carried state equals one uninterrupted forward pass (steps [0, 3) then [3, 7)): outputs, states, final state, loss",
    {},
    async ({ loaded, params, data, tol }) => {
      const whole = await runForward(loaded, params, data, program);
      const part = (from: number, to: number, initialState: Readonly<Record<string, Tensor>>) =>
        runForward(
          loaded,
          params,
          { sequences: Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, sliceSteps(v, from, to)])), initialState },
          program,
        );
      const first = await part(0, 3, data.initialState);
      const second = await part(3, T, first.finalState);
      const steps = (r: Readonly<Record<string, Tensor>>, from: number, to: number) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, sliceSteps(v, from, to)]));
      expectNoMismatches([
        ...tensorMismatches("outputs [0, 3)", first.outputs, sliceSteps(whole.outputs, 0, 3), tol, "sequence"),
        ...tensorMismatches("outputs [3, 7)", second.outputs, sliceSteps(whole.outputs, 3, T), tol, "sequence"),
        ...recordMismatches("states [0, 3)", first.states, steps(whole.states, 0, 3), tol, "sequence"),
        ...recordMismatches("states [3, 7)", second.states, steps(whole.states, 3, T), tol, "sequence"),
        ...recordMismatches("finalState", second.finalState, whole.finalState, tol, "rows"),
        // the whole loss is the mean over steps: 3/7 of the first part's mean plus 4/7 of the second's
        ...scalarMismatches("loss", (3 * first.loss! + (T - 3) * second.loss!) / T, whole.loss, tol),
      ]);
    },
  );

  /** The whole batch and its parts, each part dividing by the whole batch's count of loss rows. */
  const split = async ({ loaded, params, data }: SameBackendSetup, gradients: boolean): Promise<{ whole: WindowResult; parts: WindowResult[] }> => {
    const request = { params, lossFrom: 2, gradients } as const;
    const whole = await loaded.runWindow({ ...request, sequences: data.sequences, initialState: data.initialState });
    const parts: WindowResult[] = [];
    for (const [from, to] of PARTS) {
      parts.push(
        await loaded.runWindow({
          ...request,
          sequences: Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, selectRows(v, from, to, 1)])),
          initialState: Object.fromEntries(Object.entries(data.initialState).map(([k, v]) => [k, selectRows(v, from, to, 0)])),
          lossRowsTotal: whole.lossRows,
        }),
      );
    }
    expect(
      parts.map((p) => p.lossRows),
      "each part counts its own rows",
    ).toEqual([2 * (T - 2), T - 2]);
    return { whole, parts };
  };

  test("a batch split in parts with lossRowsTotal: the losses add up to the whole batch's, outputs are its rows (rows [0, 2) and [2, 3))", {}, async (s) => {
    const { whole, parts } = await split(s, false);
    expectNoMismatches([
      ...scalarMismatches("loss", parts[0].loss! + parts[1].loss!, whole.loss, s.tol),
      ...PARTS.flatMap(([from, to], i) =>
        tensorMismatches(`outputs of rows [${from}, ${to})`, parts[i].outputs, selectRows(whole.outputs, from, to, 1), s.tol, "sequence"),
      ),
    ]);
  });

  test("a batch split in parts with lossRowsTotal: the gradients add up to the whole batch's (rows [0, 2) and [2, 3))", { gradients: true }, async (s) => {
    const { whole, parts } = await split(s, true);
    const sum = (name: string) => {
      const t = parts[0].grads![name];
      return { shape: t.shape, data: t.data.map((v, i) => v + parts[1].grads![name].data[i]) };
    };
    expectNoMismatches([
      ...scalarMismatches("loss", parts[0].loss! + parts[1].loss!, whole.loss, s.tol),
      ...recordMismatches("grads", Object.fromEntries(Object.keys(whole.grads!).map((n) => [n, sum(n)])), whole.grads!, s.tol),
    ]);
  });
}

/**
 * The BPTT equivalences, on the backend alone in its primary dtype, on the
 * simplest causal model it runs (two states): chunked K is BPTT(K, K); K ≥ T is
 * full BPTT; a carried state is one uninterrupted pass; a batch split with
 * `lossRowsTotal` adds up to the whole batch.
 */
export function describeTruncation(ctx: SuiteContext): void {
  ctx.registrar.describe(`BPTT equivalences (T = ${T}, B = ${B}, ${ctx.primary})`, () => {
    onFirstRunnable(ctx, "BPTT equivalences", causalCandidates(), (model) => describeOn(ctx, model));
  });
}
