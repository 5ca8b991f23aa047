import { computeGradients, runForward, sgd, sliceSteps, Trainer, type Backend, type LoadedProgram, type SequenceData, type Truncation } from "@unroll/bptt";
import { float32, LEARNING_RATE, type Problem } from "./data.js";
import { UnsupportedError, type Runner } from "./runner.js";
import type { Workload } from "./workloads.js";

/** The case's BPTT plan: chunked windows when it has one, else full BPTT. */
function truncationOf(w: Workload): Truncation {
  return w.window ? { kind: "chunked", window: w.window } : { kind: "full" };
}

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
    truncation: truncationOf(w),
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

/** The loss and every parameter's gradient of one sequence, on one backend. */
export interface UnrollGradients {
  /** The loss of the whole sequence. */
  readonly loss: number;
  /** Each parameter's gradient by unroll name (`layers.0.W_in`, ...), summed over the windows of the plan. */
  readonly grads: Readonly<Record<string, Float32Array>>;
}

/**
 * The case's loss and parameter gradients at the seeded weights, by its BPTT
 * plan (and time checkpointing), before any update: what two backends must
 * agree on. Disposes the backend. Inference and RTRL or SnAp-1 cases throw
 * `UnsupportedError` (no BPTT gradients to compare).
 */
export async function unrollGradients(backend: Backend, w: Workload, problem: Problem): Promise<UnrollGradients> {
  try {
    if (w.mode === "infer" || w.method === "rtrl" || w.method === "snap1") throw new UnsupportedError(`${w.id} computes no BPTT gradients`);
    const loaded = await backend.load(problem.program, { dtype: "float32" });
    try {
      const data: SequenceData = { sequences: { x: problem.x, y: problem.y } };
      const r = await computeGradients(loaded, problem.program, problem.params, data, truncationOf(w), {
        ...(w.checkpointEvery ? { checkpointEvery: w.checkpointEvery } : {}),
      });
      return { loss: r.loss, grads: Object.fromEntries(Object.entries(r.grads).map(([name, g]) => [name, float32(g)])) };
    } finally {
      await loaded.dispose();
    }
  } finally {
    await backend.dispose();
  }
}
