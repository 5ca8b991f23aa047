import { runForward, sgd, Trainer, type Backend, type SequenceData } from "@unroll/bptt";
import { LEARNING_RATE, type Problem } from "./data.js";
import type { Runner } from "./runner.js";
import type { Workload } from "./workloads.js";

/**
 * Sets up unroll on one backend: a training step is one `Trainer.fit` over the
 * batch (one SGD update per window of the truncation plan), inference one
 * `runForward`. The runner owns the backend and disposes it.
 */
export async function createUnrollRunner(backend: Backend, w: Workload, problem: Problem): Promise<Runner> {
  const { program, params } = problem;
  const loaded = await backend.load(program, { dtype: "float32" });
  const data: SequenceData = { sequences: { x: problem.x, y: problem.y } };
  const dispose = async (): Promise<void> => {
    await loaded.dispose();
    await backend.dispose();
  };
  if (w.mode === "infer") {
    return { step: async () => ({ loss: (await runForward(loaded, params, data, program)).loss ?? NaN }), dispose };
  }
  const trainer = new Trainer(loaded, program, params, {
    optimizer: sgd({ lr: LEARNING_RATE }),
    truncation: w.window ? { kind: "chunked", window: w.window } : { kind: "full" },
    ...(w.checkpointEvery ? { checkpointEvery: w.checkpointEvery } : {}),
  });
  return {
    async step() {
      const windowMs: number[] = [];
      let last = performance.now();
      const fit = await trainer.fit(data, () => {
        const now = performance.now();
        windowMs.push(now - last);
        last = now;
      });
      const first = fit.steps[0];
      const several = fit.steps.length > 1;
      return { loss: first.loss, gradNorm: first.gradNorm, ...(several ? { windowMs, lastGradNorm: fit.steps[fit.steps.length - 1].gradNorm } : {}) };
    },
    dispose,
  };
}
