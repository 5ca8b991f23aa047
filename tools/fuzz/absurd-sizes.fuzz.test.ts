import { describe, expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { GraphError, loadProgram, resolveShape, zeros } from "@unroll/ir";
import { computeGradients, initParams, InputError, MemoryBudgetError, runForward } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { expectEngineError, expectFast, expectNoPollution, fuzzSettings, outcomeOf, snapshotPrototypes } from "./src/index.js";

const prototypes = snapshotPrototypes();
const settings = fuzzSettings(100);
const backend = createCpuBackend();
/** A budget far below the machine's, so that an absurd size is refused before it is allocated, never allocated. */
const BUDGET = 64 * 2 ** 20;

/** Sizes from small to absurd: each fits a safe integer, most of them no memory. */
const size = fc.constantFrom(1, 3, 100, 1_000, 100_000, 1_000_000, 1e9, 2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER);

const absurdSpec = fc.record({
  input: size,
  layers: fc.array(fc.record({ cell: fc.constantFrom("rnn", "lstm", "gru"), hidden: size, bidirectional: fc.boolean() }), { minLength: 1, maxLength: 2 }),
  head: fc.record({ units: size, activation: fc.constant("linear") }),
  loss: fc.constant("mse"),
});

describe("absurd sizes, under a small memory budget", () => {
  test.prop([absurdSpec], settings.parameters)(
    "load, fresh weights, forward and gradients either work quickly or fail with the engine's error (a GraphError naming the size, or the budget's)",
    async (spec) => {
      const loaded = await outcomeOf(() => loadProgram(spec));
      if (!loaded.ok) {
        expectEngineError(loaded.error, [GraphError], (m) => /^(input|layers\[\d\]\.hidden|head\.units)/.test(m), "loadProgram");
        return;
      }
      const program = loaded.value;
      const params = await outcomeOf(() => initParams(program, 1, "float32", BUDGET));
      expectFast(params.ms, settings.caseTimeLimitMs, "initParams");
      if (!params.ok) {
        expectEngineError(params.error, [MemoryBudgetError], (m) => m.length > 0, "initParams");
        return;
      }
      // data only as large as the budget would let weights be: one step, one row
      const sequences = Object.fromEntries(Object.entries(program.dataInputs).map(([name, shape]) => [name, zeros([2, ...resolveShape(shape, 1)], "float32")]));
      const run = await outcomeOf(async () => {
        const onBackend = await backend.load(program, { dtype: "float32", memoryBudget: BUDGET });
        try {
          await runForward(onBackend, params.value, { sequences }, program);
          return await computeGradients(onBackend, program, params.value, { sequences }, { kind: "full" }, { memoryBudget: BUDGET });
        } finally {
          await onBackend.dispose();
        }
      });
      expectFast(run.ms, settings.caseTimeLimitMs, "forward and gradients");
      if (run.ok) expect(Number.isFinite(run.value.loss)).toBe(true);
      else expectEngineError(run.error, [InputError], (m) => m.length > 0, "forward and gradients");
      expectNoPollution(prototypes);
    },
    settings.testTimeoutMs,
  );
});
