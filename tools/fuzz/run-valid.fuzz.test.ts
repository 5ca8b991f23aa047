import { describe, expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { GraphError, loadProgram, type Tensor } from "@unroll/ir";
import { computeGradients, createOptimizer, initParams, InputError, NonFiniteError, runForward, Trainer, type Truncation } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import {
  describeError,
  expectEngineError,
  expectFast,
  expectNoPollution,
  fuzzSettings,
  mutatedSequenceData,
  outcomeOf,
  sequenceDataOf,
  snapshotPrototypes,
  validData,
  validModelSpec,
  validProgram,
} from "./src/index.js";

const prototypes = snapshotPrototypes();
// one backend for every case, as an app holds one; each case loads its own program
const backend = createCpuBackend();
const settings = fuzzSettings(200);

/** A small valid program (from a model spec or a program document), its data, a truncation, a dtype and a seed for its weights. */
const runCase = fc
  .oneof(
    validModelSpec().map((spec) => loadProgram(spec)),
    validProgram().map((p) => loadProgram(p)),
  )
  .chain((program) =>
    fc.record({
      program: fc.constant(program),
      data: validData(program),
      truncation: fc.oneof(
        fc.constant<Truncation>({ kind: "full" }),
        fc.integer({ min: 1, max: 4 }).map((window): Truncation => ({ kind: "chunked", window })),
        fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 })).map(([k1, more]): Truncation => ({ kind: "k1k2", k1, k2: k1 + more })),
      ),
      dtype: fc.constantFrom("float32" as const, "float64" as const),
      seed: fc.nat(),
    }),
  );

const finite = (t: Tensor) => t.data.every((v) => Number.isFinite(v));

describe("small valid models run on the CPU backend", () => {
  test.prop([runCase], settings.parameters)(
    "forward and gradients: finite outputs, loss and gradients of every param's shape, or the engine's own error",
    async ({ program, data, truncation, dtype, seed }) => {
      const params = initParams(program, seed, dtype);
      const sequences = sequenceDataOf(data, dtype);
      const loaded = await backend.load(program, { dtype });
      try {
        const forward = await outcomeOf(() => runForward(loaded, params, sequences, program));
        expectFast(forward.ms, settings.caseTimeLimitMs, "runForward");
        if (!forward.ok) throw new Error(`a valid model failed forward: ${describeError(forward.error)}`);
        expect(finite(forward.value.outputs)).toBe(true);
        const grads = await outcomeOf(() => computeGradients(loaded, program, params, sequences, truncation));
        expectFast(grads.ms, settings.caseTimeLimitMs, "computeGradients");
        if (grads.ok) {
          expect(Object.keys(grads.value.grads).sort()).toEqual(Object.keys(program.params).sort());
          for (const [name, shape] of Object.entries(program.params)) expect(grads.value.grads[name].shape, name).toEqual(shape);
          expect(Object.values(grads.value.grads).every(finite)).toBe(true);
          if (program.hasLoss) expect(Number.isFinite(grads.value.loss)).toBe(true);
        } else {
          // truncating a bidirectional model is refused with a reason; nothing else may fail on valid input
          expectEngineError(grads.error, [InputError, NonFiniteError, GraphError], (m) => /causal model/.test(m), "computeGradients");
        }
      } finally {
        await loaded.dispose();
      }
      expectNoPollution(prototypes);
    },
    settings.testTimeoutMs,
  );

  test.prop([runCase, fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.constantFrom("sgd" as const, "adam" as const)], settings.parameters)(
    "training: two fits in minibatches, stateful or not, leave finite parameters of the same shapes",
    async ({ program, data, truncation, dtype, seed }, batchSize, stateful, optimizer) => {
      if (!program.hasLoss) return;
      const params = initParams(program, seed, dtype);
      const sequences = sequenceDataOf(data, dtype);
      const loaded = await backend.load(program, { dtype });
      try {
        const trainer = new Trainer(loaded, program, params, { optimizer: createOptimizer({ name: optimizer, lr: 0.01 }), truncation, batchSize, stateful });
        for (let fit = 0; fit < 2; fit++) {
          const r = await outcomeOf(() => trainer.fit(sequences));
          expectFast(r.ms, settings.caseTimeLimitMs, "Trainer.fit");
          if (!r.ok) {
            expectEngineError(r.error, [InputError, NonFiniteError, GraphError], (m) => /causal model/.test(m), "Trainer.fit");
            return;
          }
        }
        for (const [name, shape] of Object.entries(program.params)) expect(trainer.params[name].shape, name).toEqual(shape);
        expect(Object.values(trainer.params).every(finite)).toBe(true);
      } finally {
        await loaded.dispose();
      }
      expectNoPollution(prototypes);
    },
    settings.testTimeoutMs,
  );

  test.prop([runCase.chain((c) => mutatedSequenceData(sequenceDataOf(c.data, c.dtype)).map((m) => ({ ...c, mutation: m })))], settings.parameters)(
    "data of the wrong shape, names or lengths: an InputError naming the sequence, state or field, before anything runs",
    async ({ program, dtype, seed, truncation, mutation }) => {
      const params = initParams(program, seed, dtype);
      const loaded = await backend.load(program, { dtype });
      try {
        // the first sequence sets the window's steps and rows, so a change to it may be reported on another sequence, the states or lengths
        const named = [mutation.name, ...Object.keys(mutation.data.sequences), ...Object.keys(mutation.data.initialState ?? {}), "lengths"];
        const namesOne = (m: string) => named.some((n) => m.includes(`"${n}"`) || m.startsWith(n)) || /causal model/.test(m);
        const forward = await outcomeOf(() => runForward(loaded, params, mutation.data, program));
        const grads = await outcomeOf(() => computeGradients(loaded, program, params, mutation.data, truncation));
        for (const r of [forward, grads]) {
          expectFast(r.ms, settings.caseTimeLimitMs, "a run on mutated data");
          // a misshapen tensor that still has a valid shape (one more step, say) may run: only failures are checked
          if (!r.ok) expectEngineError(r.error, [InputError], namesOne, `mutated ${mutation.name}`);
        }
      } finally {
        await loaded.dispose();
      }
      expectNoPollution(prototypes);
    },
    settings.testTimeoutMs,
  );
});
