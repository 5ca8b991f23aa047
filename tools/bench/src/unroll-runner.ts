import { runForward, sgd, sliceSteps, Trainer, type Backend, type LoadedProgram, type SequenceData } from "@unroll/bptt";
import { LEARNING_RATE, type Problem } from "./data.js";
import { UnsupportedError, type Runner } from "./runner.js";
import type { Workload } from "./workloads.js";

/**
 * Sets up unroll on one backend: a training step is one `Trainer.fit` over the
 * batch (one SGD update per window of the truncation plan, or per `updateEvery`
 * steps under RTRL), inference one `runForward`. The runner owns the backend
 * and disposes it.
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
  if (w.method === "rtrl" || w.method === "snap1") {
    const missing = await missingSensitivities(loaded, problem, data, w.method);
    if (missing) {
      await dispose();
      throw new UnsupportedError(missing);
    }
  }
  const trainer = new Trainer(loaded, program, params, {
    optimizer: sgd({ lr: LEARNING_RATE }),
    truncation: w.window ? { kind: "chunked", window: w.window } : { kind: "full" },
    ...(w.checkpointEvery ? { checkpointEvery: w.checkpointEvery } : {}),
    ...(w.method ? { method: w.method } : {}),
    ...(w.updateEvery ? { updateEvery: w.updateEvery } : {}),
    ...(w.deltaNorms ? { deltaNorms: true } : {}),
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

/**
 * Why this backend cannot be timed on RTRL or SnAp-1, or undefined: a backend
 * that ignores the method runs BPTT and returns no sensitivities, and timing
 * it would report BPTT's speed under the method's name. One step, at the
 * seeded weights (nothing is updated).
 */
async function missingSensitivities(loaded: LoadedProgram, problem: Problem, data: SequenceData, method: "rtrl" | "snap1"): Promise<string | undefined> {
  const r = await loaded.runWindow({
    params: problem.params,
    sequences: Object.fromEntries(Object.entries(data.sequences).map(([k, v]) => [k, sliceSteps(v, 0, 1)])),
    initialState: {},
    gradients: true,
    method,
    collectStates: false,
  });
  return r.sensitivities ? undefined : `this backend returns no ${method} sensitivities (it ran BPTT instead)`;
}
