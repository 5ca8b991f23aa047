import { describe, expect } from "vitest";
import { loadProgram, type Tensor } from "@unroll/ir";
import { computeGradients, runForward, selectRows, sliceSteps, type GradientResult, type LoadedProgram, type Truncation, type WindowResult } from "@unroll/bptt";
import { castData, modelData, type ModelData } from "../models/model-data.js";
import { expectNoMismatches, recordMismatches, scalarMismatches, tensorMismatches } from "../support/compare.js";
import { castAll, randomParams, rngFor } from "../support/tensors.js";
import { SAME_BACKEND_TOLERANCE, type Tolerance } from "../support/tolerance.js";
import { itRunning, type SuiteContext } from "../suite-context.js";

const T = 7;
const B = 3;
const program = loadProgram({ input: 3, layers: [{ cell: "lstm", hidden: 3 }], head: { units: 2, activation: "linear" }, loss: "mse" });

/** Mismatches between two gradient results: loss, every gradient, and each window's bounds, loss and gradients. */
function resultMismatches(a: GradientResult, b: GradientResult, tol: Tolerance): string[] {
  const problems = [
    ...scalarMismatches("loss", a.loss, b.loss, tol),
    ...recordMismatches("grads", a.grads, b.grads, tol),
    ...recordMismatches("inputGrads", a.inputGrads, b.inputGrads, tol, "sequence"),
    ...recordMismatches("initialStateGrads", a.initialStateGrads, b.initialStateGrads, tol, "rows"),
  ];
  const bounds = (r: GradientResult) => r.windows.map((w) => `[${w.start}, ${w.end}) loss from ${w.lossStart}`).join("; ");
  if (bounds(a) !== bounds(b)) return [...problems, `windows ${bounds(a)}, expected ${bounds(b)}`];
  a.windows.forEach((w, i) => {
    problems.push(...scalarMismatches(`windows[${i}].loss`, w.loss, b.windows[i].loss, tol));
    problems.push(...recordMismatches(`windows[${i}].grads`, w.grads, b.windows[i].grads, tol));
  });
  return problems;
}

/** An lstm with an mse head on the backend in the suite's primary dtype, with params and data (T = 7, B = 3). */
async function setup(ctx: SuiteContext, seed: string): Promise<{ loaded: LoadedProgram; params: Record<string, Tensor>; data: ModelData; tol: Tolerance }> {
  const rand = rngFor(seed);
  const params = castAll(randomParams(program, rand), ctx.primary);
  const data = castData(modelData(program, T, B, rand), ctx.primary);
  return { loaded: await ctx.backend.load(program, { dtype: ctx.primary }), params, data, tol: SAME_BACKEND_TOLERANCE[ctx.primary] };
}

/** Runs `body` on a fresh setup and disposes the loaded program after. */
function withSetup(ctx: SuiteContext, seed: string, body: (s: Awaited<ReturnType<typeof setup>>) => Promise<void>): () => Promise<void> {
  return async () => {
    const s = await setup(ctx, seed);
    try {
      await body(s);
    } finally {
      await s.loaded.dispose();
    }
  };
}

/**
 * The BPTT equivalences, on the backend alone in its primary dtype: chunked K is
 * BPTT(K, K); K ≥ T is full BPTT; a carried state is one uninterrupted pass; time
 * checkpointing, `collectStates: false` and a batch split with `lossRowsTotal`
 * change nothing.
 */
export function describeTruncation(ctx: SuiteContext): void {
  describe(`BPTT equivalences (lstm, T = ${T}, B = ${B}, ${ctx.primary})`, () => {
    itRunning(ctx, "chunked K equals BPTT(K, K): loss, gradients and every window (K = 2, 3)", program, withSetup(ctx, "chunked = k1k2", async ({ loaded, params, data, tol }) => {
      for (const K of [2, 3]) {
        const a = await computeGradients(loaded, program, params, data, { kind: "chunked", window: K });
        const b = await computeGradients(loaded, program, params, data, { kind: "k1k2", k1: K, k2: K });
        expect(a.windows.length).toBe(Math.ceil(T / K));
        expectNoMismatches(resultMismatches(a, b, tol).map((m) => `K = ${K}: ${m}`));
      }
    }));

    itRunning(ctx, "K >= T equals full BPTT (chunked T, chunked T + 2, BPTT(T, T + 3))", program, withSetup(ctx, "K >= T", async ({ loaded, params, data, tol }) => {
      const full = await computeGradients(loaded, program, params, data, { kind: "full" });
      const cases: Truncation[] = [{ kind: "chunked", window: T }, { kind: "chunked", window: T + 2 }, { kind: "k1k2", k1: T, k2: T + 3 }];
      for (const tr of cases) {
        const r = await computeGradients(loaded, program, params, data, tr);
        expect(r.windows.length).toBe(1);
        expectNoMismatches(resultMismatches(r, full, tol).map((m) => `${JSON.stringify(tr)}: ${m}`));
      }
    }));

    itRunning(ctx, "a truncated gradient differs from the full one (the cut is real)", program, withSetup(ctx, "cut", async ({ loaded, params, data, tol }) => {
      const full = await computeGradients(loaded, program, params, data, { kind: "full" });
      const cut = await computeGradients(loaded, program, params, data, { kind: "chunked", window: 2 });
      expect(recordMismatches("grads", cut.grads, full.grads, tol).length).toBeGreaterThan(0);
    }));

    itRunning(ctx, "a carried state equals one uninterrupted forward pass (steps [0, 3) then [3, 7))", program, withSetup(ctx, "carried", async ({ loaded, params, data, tol }) => {
      const whole = await runForward(loaded, params, data, program);
      const part = (from: number, to: number, initialState: Readonly<Record<string, Tensor>>) =>
        runForward(loaded, params, { sequences: Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, sliceSteps(v, from, to)])), initialState }, program);
      const first = await part(0, 3, data.initialState);
      const second = await part(3, T, first.finalState);
      expectNoMismatches([
        ...tensorMismatches("outputs [0, 3)", first.outputs, sliceSteps(whole.outputs, 0, 3), tol, "sequence"),
        ...tensorMismatches("outputs [3, 7)", second.outputs, sliceSteps(whole.outputs, 3, T), tol, "sequence"),
        ...recordMismatches("finalState", second.finalState, whole.finalState, tol, "rows"),
        // the whole loss is the mean over steps: 3/7 of the first part's mean plus 4/7 of the second's
        ...scalarMismatches("loss", (3 * first.loss! + (T - 3) * second.loss!) / T, whole.loss, tol),
      ]);
    }));

    itRunning(ctx, "time checkpointing (checkpointEvery 2, 3) gives the same gradients, full and BPTT(2, 3)", program, withSetup(ctx, "checkpoints", async ({ loaded, params, data, tol }) => {
      for (const tr of [{ kind: "full" }, { kind: "k1k2", k1: 2, k2: 3 }] as const) {
        const plain = await computeGradients(loaded, program, params, data, tr);
        for (const every of [2, 3]) {
          const r = await computeGradients(loaded, program, params, data, tr, { checkpointEvery: every });
          expectNoMismatches(resultMismatches(r, plain, tol).map((m) => `${tr.kind}, checkpointEvery ${every}: ${m}`));
        }
      }
    }));

    itRunning(ctx, "collectStates: false changes nothing but the states returned", program, withSetup(ctx, "collectStates", async ({ loaded, params, data, tol }) => {
      const request = { params, sequences: data.sequences, initialState: data.initialState, gradients: true };
      const all = await loaded.runWindow(request);
      const lean = await loaded.runWindow({ ...request, collectStates: false });
      expectNoMismatches([
        ...tensorMismatches("outputs", lean.outputs, all.outputs, tol, "sequence"),
        ...recordMismatches("finalState", lean.finalState, all.finalState, tol, "rows"),
        ...scalarMismatches("loss", lean.loss, all.loss, tol),
        ...recordMismatches("grads", lean.grads, all.grads!, tol),
      ]);
    }));

    itRunning(ctx, "a batch split in parts with lossRowsTotal adds up to the whole batch (rows [0, 2) and [2, 3))", program, withSetup(ctx, "split", async ({ loaded, params, data, tol }) => {
      const request = { params, lossFrom: 2, gradients: true } as const;
      const whole = await loaded.runWindow({ ...request, sequences: data.sequences, initialState: data.initialState });
      const parts: WindowResult[] = [];
      for (const [from, to] of [[0, 2], [2, 3]]) {
        parts.push(await loaded.runWindow({
          ...request,
          sequences: Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, selectRows(v, from, to, 1)])),
          initialState: Object.fromEntries(Object.entries(data.initialState).map(([k, v]) => [k, selectRows(v, from, to, 0)])),
          lossRowsTotal: whole.lossRows,
        }));
      }
      expect(parts.map((p) => p.lossRows), "each part counts its own rows").toEqual([2 * (T - 2), T - 2]);
      const sum = (name: string) => {
        const t = parts[0].grads![name];
        return { shape: t.shape, data: t.data.map((v, i) => v + parts[1].grads![name].data[i]) };
      };
      expectNoMismatches([
        ...scalarMismatches("loss", parts[0].loss! + parts[1].loss!, whole.loss, tol),
        ...recordMismatches("grads", Object.fromEntries(Object.keys(whole.grads!).map((n) => [n, sum(n)])), whole.grads!, tol),
        ...tensorMismatches("outputs of rows [2, 3)", parts[1].outputs, selectRows(whole.outputs, 2, 3, 1), tol, "sequence"),
      ]);
    }));
  });
}
