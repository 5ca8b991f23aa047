import { loadProgram, sizeOf, type ModelSpec } from "@unroll/ir";
import { createOptimizer, initParams, meanLoss, runForward, Trainer, type CountedLoss, type OptimizerName } from "@unroll/bptt";
import { backends, type BackendName } from "@unroll/backends";
import { alignPoints, streamTrainerOptions, trainStreams, type Budget, type ModelShape } from "@unroll/demo-kit";
import { renderReport, writeReport } from "./html-report.js";
import { describeTraining } from "./settings.js";
import { onInterrupt } from "./interrupt.js";
import { NOISE, PERIOD, SineStreams } from "./sine-streams.js";
import { TrainProgress } from "./progress.js";

/** Steps per training stream. */
const STREAM_STEPS = 400;
/** Steps of the held-out stream the report plots. */
const TEST_STEPS = 120;

/** Options of {@link runSineTask}. */
export interface SineRunOptions extends ModelShape {
  /** Truncation window K. */
  readonly window: number;
  /** Parallel streams B. */
  readonly batch: number;
  /** Optimizer and learning rate. */
  readonly optimizer: OptimizerName;
  /** Learning rate. */
  readonly lr: number;
  /** Seed of the weights and the data. */
  readonly seed: number;
  /** How long to train. */
  readonly budget: Budget;
  /** Where to run. */
  readonly backend: BackendName;
  /** Write the HTML report here. */
  readonly report: string;
}

/** What the sine run reached. */
export interface SineRunResult {
  /** Mean training loss of the last 20 steps. */
  readonly finalLoss: number;
  /** Mean squared error of the one-step predictions on the held-out wave. */
  readonly testMse: number;
  /** The same error for the naive forecast "the next value equals this one". */
  readonly naiveMse: number;
}

function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/**
 * The small example with no text: a recurrent model with a linear head learns
 * one-step-ahead prediction of noisy sine waves (MSE loss), then predicts a
 * held-out wave; the report plots prediction against truth.
 */
export async function runSineTask(o: SineRunOptions): Promise<SineRunResult> {
  const spec: ModelSpec = {
    input: 1,
    layers: Array.from({ length: o.layers }, () => ({ cell: o.cell, hidden: o.hidden })),
    head: { units: 1, activation: "linear" },
    loss: "mse",
  };
  const program = loadProgram(spec);
  const params = initParams(program, o.seed, "float32");
  const backend = backends.create(o.backend);
  try {
    const loaded = await backend.load(program, { dtype: "float32" });
    const trainer = new Trainer(loaded, program, params, streamTrainerOptions(o.window, createOptimizer({ name: o.optimizer, lr: o.lr })));
    const nParams = Object.values(params).reduce((a, p) => a + sizeOf(p.shape), 0);
    const intro =
      `A ${o.layers}-layer ${o.cell.toUpperCase()} of ${o.hidden} units (${nParams} parameters) with a linear head learns to predict ` +
      `the next value of noisy sine waves (period ${PERIOD} steps, noise σ = ${NOISE}), ${o.batch} streams of ${STREAM_STEPS} steps ` +
      `read in windows of ${o.window} with the state carried; ${o.optimizer}, lr ${o.lr}, seed ${o.seed}.`;
    process.stdout.write(`${intro}\n`);
    const losses: number[] = [];
    // the windows' losses with their counts, for the mean over counted steps every loss figure reports
    const counted: CountedLoss[] = [];
    const progress = new TrainProgress(o.budget);
    const interrupt = onInterrupt(() => progress.line("Ctrl-C: stopping after the current window (press again to quit at once)"));
    let seconds = 0;
    const end = await trainStreams(
      { step: 0, position: 0, epoch: 0 },
      {
        trainer,
        source: new SineStreams(o.batch, STREAM_STEPS, o.seed),
        window: o.window,
        budget: o.budget,
        stopRequested: () => interrupt.signal.aborted,
        onStep: ({ step, loss, seconds: t, report }) => {
          losses.push(loss);
          counted.push(report);
          seconds = t;
          progress.step(step, step, loss, t);
        },
      },
    );
    progress.stop();
    interrupt.dispose();

    // a held-out wave (another seed), run forward from a zero state
    const test = new SineStreams(1, TEST_STEPS, o.seed + 1);
    const r = await runForward(loaded, params, test.slice(0, TEST_STEPS), program);
    const pred = r.outputs.data;
    const next = test.noisy[0].subarray(1);
    const testMse = mse(pred, next);
    const naiveMse = mse(test.noisy[0].subarray(0, TEST_STEPS), next);
    const cleanMse = mse(pred, test.clean[0].subarray(1));
    const recent = counted.slice(-20);
    const finalLoss = meanLoss(recent);
    process.stdout.write(
      `Trained ${end.step} steps in ${seconds.toFixed(1)} s; final loss ${finalLoss.toFixed(4)} (mean over the counted steps of the last ${recent.length} windows).\n`,
    );
    process.stdout.write(
      `Held-out wave: prediction MSE ${testMse.toFixed(4)} against the noisy next value (noise floor σ² = ${(NOISE * NOISE).toFixed(4)}), ` +
        `${cleanMse.toFixed(4)} against the clean wave; repeating the last value scores ${naiveMse.toFixed(4)}.\n`,
    );
    const points = (ys: ArrayLike<number>): [number, number][] => Array.from(ys, (v, t) => [t + 1, v]);
    const html = renderReport({
      title: "unroll demo: one-step-ahead prediction of a noisy sine wave",
      intro,
      summary: [
        ["final training loss (MSE)", finalLoss.toFixed(4)],
        ["held-out MSE vs noisy next value", testMse.toFixed(4)],
        ["held-out MSE vs clean wave", cleanMse.toFixed(4)],
        ["noise floor σ²", (NOISE * NOISE).toFixed(4)],
        ["naive forecast (repeat last value)", naiveMse.toFixed(4)],
        ["steps", String(end.step)],
        ["training time", `${seconds.toFixed(1)} s`],
      ],
      charts: [
        {
          caption: "Held-out wave: the model's prediction of step t+1 made at step t, against the observations and the noiseless wave.",
          chart: {
            spec: {
              xLabel: "time step",
              yLabel: "value",
              lines: [
                { name: "observed (noisy)", color: "#999", width: 1 },
                { name: "clean wave", color: "#2ca02c", width: 1.5, dash: [6, 4] },
                { name: "prediction", color: "#d62728" },
              ],
            },
            data: alignPoints([points(next), points(test.clean[0].subarray(1)), points(pred)]),
          },
        },
        {
          caption: "Training loss (MSE) per optimizer step.",
          chart: {
            spec: { xLabel: "optimizer step", yLabel: "mean squared error", lines: [{ name: "training MSE", color: "#1f77b4" }] },
            data: alignPoints([points(losses)]),
          },
        },
      ],
      settings: [...describeTraining(o), ["backend", o.backend]],
      model: spec,
    });
    writeReport(o.report, html);
    process.stdout.write(`Report: ${o.report}\n`);
    return { finalLoss, testMse, naiveMse };
  } finally {
    await backend.dispose();
  }
}
