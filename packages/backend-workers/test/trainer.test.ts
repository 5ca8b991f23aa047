import { afterAll, describe, expect, it } from "vitest";
import type { Tensor } from "@unroll/ir";
import { adam, sgd, Trainer, type Backend, type Optimizer, type SequenceData } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { createWorkerBackend } from "../src/index.js";
import { cloneAll, expectAllClose, lstmProgram, randomData, randomParams } from "./support.js";

// Training on the pool follows the CPU backend step for step: minibatches of
// 3 and 2 rows (each split over 2 workers), truncated windows, carried state.
const program = lstmProgram();
const data: SequenceData = randomData(program, 9, 5, 40, [9, 4, 9, 7, 2]);

async function train(backend: Backend, optimizer: Optimizer): Promise<{ params: Record<string, Tensor>; losses: number[] }> {
  const loaded = await backend.load(program, { dtype: "float64" });
  const trainer = new Trainer(loaded, program, cloneAll(randomParams(program, 41)), {
    optimizer,
    truncation: { kind: "chunked", window: 4 },
    batchSize: 3,
    stateful: true,
    clipNorm: 5,
  });
  const losses: number[] = [];
  for (let epoch = 0; epoch < 3; epoch++) losses.push((await trainer.fit(data)).loss);
  await loaded.dispose();
  return { params: trainer.params, losses };
}

describe("Trainer.fit on the workers backend", () => {
  const pool = createWorkerBackend({ workers: 2 });
  afterAll(() => pool.dispose());

  for (const [name, make] of [
    ["sgd with momentum", () => sgd({ lr: 0.1, momentum: 0.9 })],
    ["adam", () => adam({ lr: 0.01 })],
  ] as const) {
    it(`${name}: the same losses and trained parameters as on the CPU backend`, async () => {
      const [cpu, workers] = await Promise.all([train(createCpuBackend(), make()), train(pool, make())]);
      cpu.losses.forEach((l, i) => expect(Math.abs(workers.losses[i] - l), `epoch ${i} loss`).toBeLessThanOrEqual(1e-12));
      expect(workers.losses[2]).toBeLessThan(workers.losses[0]);
      expectAllClose("params", workers.params, cpu.params, 1e-12);
    });
  }
});
