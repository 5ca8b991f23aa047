import { expect } from "vitest";
import type { CheckedProgram } from "@unroll/ir";
import type { LoadedProgram, WindowRequest, WindowResult } from "@unroll/bptt";
import { causalCandidates, secondProgramCandidates } from "../models/candidates.js";
import { castData, modelData } from "../models/model-data.js";
import type { ModelCase } from "../models/models.js";
import { expectNoMismatches, recordMismatches, scalarMismatches, tensorMismatches } from "../support/compare.js";
import { rejection } from "../support/rejection.js";
import { castAll, cloneAll, randomParams, rngFor } from "../support/tensors.js";
import { itRunning, onFirstRunnable, type SuiteContext } from "../suite-context.js";

const T = 4;

/** A request for a program at a batch size, in the suite's primary dtype, with gradients when the backend has them. */
function request(ctx: SuiteContext, program: CheckedProgram, batch: number, seed: string): WindowRequest {
  const rand = rngFor(`lifecycle/${seed}`);
  const params = castAll(randomParams(program, rand), ctx.primary);
  const data = castData(modelData(program, T, batch, rand), ctx.primary);
  return { params, sequences: data.sequences, initialState: data.initialState, gradients: ctx.gradients };
}

/** Expects a window result with outputs of `steps` steps and, when the request asked, gradients. */
function expectRan(r: WindowResult, req: WindowRequest): void {
  expect(r.outputs.shape[0], "outputs for every step").toBe(Object.values(req.sequences)[0].shape[0]);
  if (req.gradients) expect(r.grads, "gradients").toBeDefined();
}

/** A deep copy of what a window returned, to check later that nothing overwrote it. */
function snapshot(r: WindowResult): WindowResult {
  return {
    outputs: cloneAll({ o: r.outputs }).o,
    states: cloneAll(r.states),
    finalState: cloneAll(r.finalState),
    lossRows: r.lossRows,
    ...(r.loss === undefined ? {} : { loss: r.loss }),
    ...(r.grads ? { grads: cloneAll(r.grads) } : {}),
    ...(r.inputGrads ? { inputGrads: cloneAll(r.inputGrads) } : {}),
    ...(r.initialStateGrads ? { initialStateGrads: cloneAll(r.initialStateGrads) } : {}),
  };
}

/** Every difference between two window results, exact (the same backend, inputs and dtype). */
function differences(label: string, a: WindowResult, b: WindowResult): string[] {
  const exact = { atol: 0, rtol: 0 };
  return [
    ...tensorMismatches(`${label}: outputs`, a.outputs, b.outputs, exact, "sequence"),
    ...recordMismatches(`${label}: states`, a.states, b.states, exact, "sequence"),
    ...recordMismatches(`${label}: finalState`, a.finalState, b.finalState, exact, "rows"),
    ...scalarMismatches(`${label}: loss`, a.loss, b.loss, exact),
    ...(b.grads ? recordMismatches(`${label}: grads`, a.grads, b.grads, exact) : []),
    ...(b.inputGrads ? recordMismatches(`${label}: inputGrads`, a.inputGrads, b.inputGrads, exact, "sequence") : []),
    ...(b.initialStateGrads ? recordMismatches(`${label}: initialStateGrads`, a.initialStateGrads, b.initialStateGrads, exact, "rows") : []),
  ];
}

/**
 * Load once, run many times: repeated and interleaved runs give the same
 * results, requests are not modified, results are not overwritten by later runs,
 * loaded programs are disposed one by one, an aborted window leaves the program
 * usable, and a disposed backend rejects.
 */
export function describeLifecycle(ctx: SuiteContext): void {
  ctx.registrar.describe(`dispose and reuse (${ctx.primary})`, () => {
    onFirstRunnable(ctx, "dispose and reuse", causalCandidates(), (model) =>
      onFirstRunnable(ctx, "dispose and reuse, the second program", secondProgramCandidates(), (other) => describeOn(ctx, model, other)),
    );
  });
}

/** The lifecycle tests on `model`, interleaved with `other`. */
function describeOn(ctx: SuiteContext, model: ModelCase, other: ModelCase): void {
  const { program } = model;
  const second = other.program;
  itRunning(ctx, `${model.name}: runs many times, interleaved with ${other.name} and other batch sizes, with the same results`, program, {}, async () => {
    const a = await ctx.backend.load(program, { dtype: ctx.primary });
    const b = await ctx.backend.load(second, { dtype: ctx.primary });
    try {
      const req = request(ctx, program, 2, "a");
      const first = await a.runWindow(req);
      const kept = snapshot(first);
      const problems: string[] = [];
      for (let round = 0; round < 4; round++) {
        await b.runWindow(request(ctx, second, 3, `b${round}`));
        await a.runWindow(request(ctx, program, 1 + round, `a${round}`));
        await a.runWindow({ ...request(ctx, program, 2, `fwd${round}`), gradients: false });
        problems.push(...differences(`round ${round}`, await a.runWindow(req), kept));
      }
      // results already returned are not overwritten by later runs
      problems.push(...differences("the first result, after later runs", first, kept));
      expectNoMismatches(problems);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  itRunning(ctx, `${model.name}: runWindow leaves its request's tensors unchanged (the scheduler reuses them)`, program, {}, async () => {
    const loaded = await ctx.backend.load(program, { dtype: ctx.primary });
    try {
      const req = request(ctx, program, 2, "unchanged");
      const masked = { ...req, mask: castAll({ m: { shape: [T, 2], data: Float64Array.from([1, 1, 1, 1, 1, 0, 1, 0]) } }, ctx.primary).m };
      const before = {
        params: cloneAll(req.params),
        sequences: cloneAll(req.sequences),
        initialState: cloneAll(req.initialState),
        mask: cloneAll({ m: masked.mask }).m,
      };
      await loaded.runWindow(masked);
      const exact = { atol: 0, rtol: 0 };
      expectNoMismatches([
        ...recordMismatches("params", masked.params, before.params, exact),
        ...recordMismatches("sequences", masked.sequences, before.sequences, exact, "sequence"),
        ...recordMismatches("initialState", masked.initialState, before.initialState, exact, "rows"),
        ...tensorMismatches("mask", masked.mask, before.mask, exact, "sequence"),
      ]);
    } finally {
      await loaded.dispose();
    }
  });

  itRunning(ctx, `${model.name}: loaded programs are disposed independently; a program can be loaded again after`, program, {}, async () => {
    const req = request(ctx, program, 2, "independent");
    const one = await ctx.backend.load(program, { dtype: ctx.primary });
    const two = await ctx.backend.load(program, { dtype: ctx.primary });
    const otherLoaded = await ctx.backend.load(second, { dtype: ctx.primary });
    let three: LoadedProgram | undefined;
    try {
      const expected = snapshot(await one.runWindow(req));
      await one.dispose();
      const otherReq = request(ctx, second, 2, "other");
      expectRan(await otherLoaded.runWindow(otherReq), otherReq);
      three = await ctx.backend.load(program, { dtype: ctx.primary });
      expectNoMismatches([
        ...differences("the second copy", await two.runWindow(req), expected),
        ...differences("a copy loaded after", await three.runWindow(req), expected),
      ]);
    } finally {
      await two.dispose();
      await otherLoaded.dispose();
      await three?.dispose();
    }
  });

  itRunning(
    ctx,
    `${model.name}: an aborted signal rejects with an AbortError (or is ignored by a backend in the caller's thread); the program runs after`,
    program,
    {},
    async () => {
      const loaded = await ctx.backend.load(program, { dtype: ctx.primary });
      try {
        const req = request(ctx, program, 2, "abort");
        const expected = snapshot(await loaded.runWindow(req));
        const controller = new AbortController();
        controller.abort();
        const outcome = await loaded.runWindow({ ...req, signal: controller.signal }).then(
          () => "completed",
          (e: unknown) => (e instanceof Error ? e.name : String(e)),
        );
        expect(["completed", "AbortError"], `outcome: ${outcome}`).toContain(outcome);
        expectNoMismatches(differences("after the aborted window", await loaded.runWindow(req), expected));
      } finally {
        await loaded.dispose();
      }
    },
  );

  itRunning(ctx, `${model.name}: after backend.dispose(), load and runWindow reject`, program, {}, async () => {
    // a backend of its own, since this one is disposed
    const backend = await ctx.factory();
    let disposed = false;
    try {
      const loaded = await backend.load(program, { dtype: ctx.primary });
      const req = request(ctx, program, 2, "disposed");
      expectRan(await loaded.runWindow(req), req);
      disposed = true;
      await backend.dispose();
      const load = await rejection(() => backend.load(program, { dtype: ctx.primary }));
      const run = await rejection(() => loaded.runWindow(req));
      expect(load.message.length, "load rejects with a message").toBeGreaterThan(0);
      expect(run.message.length, "runWindow rejects with a message").toBeGreaterThan(0);
    } finally {
      if (!disposed) await backend.dispose();
    }
  });
}
