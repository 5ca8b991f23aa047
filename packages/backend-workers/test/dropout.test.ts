import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProgram, type ModelSpec } from "@unroll/ir";
import { computeGradients, type Backend, type LoadedProgram, type SequenceData, type Truncation } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { createWorkerBackend } from "../src/index.js";
import { expectAllClose, expectSameResult, randomParams, tensor, uniform } from "./support.js";

// Dropout masks are filled by the scheduler before a backend splits the batch,
// keyed by row: workers and CPU run the same masks, so they agree as without
// dropout (to 1e-12, the order of batch sums), and a draw is bitwise repeatable.
const spec: ModelSpec = {
  input: 2,
  layers: [{ cell: "lstm", hidden: 3, dropout: 0.3, variational: true, recurrentDropout: 0.4 }],
  head: { units: 2, activation: "linear", dropout: 0.2 },
  loss: "mse",
};
const program = loadProgram(spec);
const params = randomParams(program, 5);
const T = 6;
const B = 5;
const next = uniform(8);
const data: SequenceData = { sequences: { x: tensor([T, B, 2], next), y: tensor([T, B, 2], next) } };
const dropout = { seed: 77, draw: 2 };

describe("workers backend equals the CPU backend with dropout (lstm, float64, 2 workers)", () => {
  let workers: Backend;
  let onWorkers: LoadedProgram;
  let onCpu: LoadedProgram;

  beforeAll(async () => {
    workers = createWorkerBackend({ workers: 2 });
    [onWorkers, onCpu] = await Promise.all([workers.load(program, { dtype: "float64" }), createCpuBackend().load(program, { dtype: "float64" })]);
    // starting workers on a busy machine
  }, 60_000);
  afterAll(async () => {
    await workers?.dispose();
  });

  for (const [name, truncation] of [
    ["full BPTT", { kind: "full" }],
    ["BPTT(2, 4)", { kind: "k1k2", k1: 2, k2: 4 }],
  ] as const satisfies readonly (readonly [string, Truncation])[]) {
    it(`${name}: the same loss, outputs and gradients under a draw of masks`, async () => {
      const cpu = await computeGradients(onCpu, program, params, data, truncation, { dropout });
      const got = await computeGradients(onWorkers, program, params, data, truncation, { dropout });
      expectSameResult(name, got.forward, cpu.forward, 1e-12);
      expect(Math.abs(got.loss - cpu.loss)).toBeLessThanOrEqual(1e-12);
      expectAllClose(`${name} grads`, got.grads, cpu.grads, 1e-12);
      expectAllClose(`${name} inputGrads`, got.inputGrads, cpu.inputGrads, 1e-12);
      const again = await computeGradients(onWorkers, program, params, data, truncation, { dropout });
      expectAllClose(`${name} grads again`, again.grads, got.grads, 0);
      // the masks were on: off gives another loss
      const off = await computeGradients(onWorkers, program, params, data, truncation);
      expect(Math.abs(off.loss - got.loss)).toBeGreaterThan(1e-3);
    });
  }
});
