import * as tf from "@tensorflow/tfjs";
import { LEARNING_RATE, type Problem } from "./data.js";
import { UnsupportedError, type Runner, type StepOutcome } from "./runner.js";
import { TFJS_NO_CHECKPOINTING, TFJS_NO_RTRL } from "./systems.js";
import { useTfjsBackend, type TfjsBackend } from "./tfjs-setup.js";
import { tfWeights, weightList, windowLoss, zeroCarry, type TfCarry } from "./tfjs-model.js";
import type { Workload } from "./workloads.js";

function globalNorm(grads: tf.NamedTensorMap): number {
  return Math.sqrt(Object.values(grads).reduce((sum, g) => sum + tf.sum(tf.square(g)).dataSync()[0], 0));
}

/**
 * Sets up the same computation in TF.js: the model as an explicit loop of tf
 * ops over steps, the data preloaded as tensors, one `tf.variableGrads` and one
 * SGD update per window of the truncation plan (one window for full BPTT), the
 * carry between windows held as a constant.
 */
export async function createTfjsRunner(backend: TfjsBackend, w: Workload, problem: Problem, options: { readonly gradNorm: boolean }): Promise<Runner> {
  if (w.checkpointEvery) throw new UnsupportedError(TFJS_NO_CHECKPOINTING);
  if (w.method === "rtrl") throw new UnsupportedError(TFJS_NO_RTRL);
  await useTfjsBackend(backend);
  const weights = tfWeights(problem.params);
  const vars = weightList(weights);
  const xs = tf.unstack(tf.tensor3d(problem.x.data, problem.x.shape)) as tf.Tensor2D[];
  const yAll = tf.tensor3d(problem.y.data, problem.y.shape);
  const span = w.mode === "train" && w.window ? w.window : w.steps;
  const windows = Array.from({ length: Math.ceil(w.steps / span) }, (_, k) => {
    const start = k * span;
    const end = Math.min(w.steps, start + span);
    return { xs: xs.slice(start, end), ys: tf.slice(yAll, [start, 0, 0], [end - start, -1, -1]) };
  });
  const optimizer = tf.train.sgd(LEARNING_RATE);
  const start = zeroCarry(w.cell, w.batch, w.hidden);

  const infer = async (): Promise<StepOutcome> => {
    const loss = tf.tidy(() => windowLoss(w.cell, weights, windows[0].xs, windows[0].ys, start).loss.dataSync()[0]);
    return { loss };
  };

  const train = async (): Promise<StepOutcome> => {
    let carry: TfCarry = start;
    let firstLoss = NaN;
    let firstNorm: number | undefined;
    const windowMs: number[] = [];
    for (const [k, win] of windows.entries()) {
      const t0 = performance.now();
      let next: TfCarry = [];
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const r = windowLoss(w.cell, weights, win.xs, win.ys, carry);
          next = r.carry.map((t) => tf.keep(t));
          return r.loss;
        }, vars);
        if (k === 0 && options.gradNorm) firstNorm = globalNorm(grads);
        optimizer.applyGradients(grads);
        return value.dataSync()[0];
      });
      if (carry !== start) tf.dispose(carry);
      carry = next;
      if (k === 0) firstLoss = loss;
      windowMs.push(performance.now() - t0);
    }
    tf.dispose(carry);
    return { loss: firstLoss, ...(firstNorm === undefined ? {} : { gradNorm: firstNorm }), ...(windows.length > 1 ? { windowMs } : {}) };
  };

  return {
    step: w.mode === "train" ? train : infer,
    async dispose() {
      tf.disposeVariables();
      tf.dispose([...xs, yAll, ...start, ...windows.map((x) => x.ys)]);
      optimizer.dispose();
    },
  };
}
