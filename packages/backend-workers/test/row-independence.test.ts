import { afterAll, describe, expect, it } from "vitest";
import { batchCoupling, checkProgram, GraphBuilder, programOfGraph, type CheckedProgram } from "@unroll/ir";
import { computeGradients } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { createWorkerBackend } from "../src/index.js";
import { collectLog, expectAllClose, expectSameResult, lstmProgram, randomData, randomParams } from "./support.js";

/** An rnn step whose hidden state is `tanh(x W + h U + mean_B(h) V)`: every row sees the batch's mean. */
function batchMeanRnn(rowsAlone: boolean): CheckedProgram {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", 2]);
  const y = b.input("y", ["B", 3]);
  const h = b.carry("h", ["B", 3]);
  let pre = b.add(b.matmul(x, b.param("W", [2, 3])), b.matmul(h, b.param("U", [3, 3])));
  // the mean over the row's own features keeps rows apart; over the batch it couples them
  const pooled = rowsAlone ? b.mean(h, { axes: [1], keepDims: true }) : b.mean(h, { axes: [0], keepDims: true });
  pre = b.add(pre, b.mul(pooled, b.param("v", [3])));
  const hn = b.tanh(pre);
  b.update(h, hn);
  b.output("output", hn);
  b.loss(b.mse(hn, y));
  return checkProgram(programOfGraph(b.toGraph()));
}

describe("programs whose batch rows depend on each other", () => {
  const { messages, log } = collectLog();
  const backend = createWorkerBackend({ workers: 2, log });
  afterAll(() => backend.dispose());

  it("the check tells them apart", () => {
    expect(batchCoupling(lstmProgram())).toBeUndefined();
    expect(batchCoupling(batchMeanRnn(true))).toBeUndefined();
    expect(batchCoupling(batchMeanRnn(false))).toMatch(/^stage 0: node "\S+" \(mean\) combines batch rows$/);
  });

  it("run whole on one worker, equal to the CPU backend; separable ones are split", async () => {
    for (const rowsAlone of [false, true]) {
      const program = batchMeanRnn(rowsAlone);
      const params = randomParams(program, 3);
      const data = randomData(program, 4, 5, 4, [4, 2, 4, 3, 1]);
      const loaded = await backend.load(program, { dtype: "float64" });
      const cpu = await computeGradients(await createCpuBackend().load(program, { dtype: "float64" }), program, params, data, { kind: "full" });
      const r = await computeGradients(loaded, program, params, data, { kind: "full" });
      expectSameResult(`rowsAlone=${rowsAlone}`, r.forward, cpu.forward, 1e-12);
      expectAllClose(`rowsAlone=${rowsAlone} grads`, r.grads, cpu.grads, 1e-12);
      await loaded.dispose();
    }
    expect(messages.filter((m) => m.includes("cannot be split"))).toEqual([
      expect.stringMatching(/^program 1 cannot be split over the batch \(stage 0: .*\): each window runs on one worker$/),
    ]);
    expect(messages).toContain("window of 4 steps from step 0, batch 5, with gradients: worker 0 rows 0–4");
    expect(messages).toContain("window of 4 steps from step 0, batch 5, with gradients: worker 0 rows 0–2, worker 1 rows 3–4");
  });
});
