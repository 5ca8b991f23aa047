import { loadProgram, sizeOf, type CheckedProgram } from "@unroll/ir";
import { createOptimizer, createRng, initParams, runForward, Trainer, type LoadedProgram, type OptimizerName } from "@unroll/bptt";
import { backends, type BackendName } from "@unroll/backends";
import { charModelSpec, CLIP_NORM, type ModelShape } from "@unroll/demo-kit";
import { copyBatch, recallScore, type CopyBatch, type RecallScore } from "./copy-data.js";
import { methodLabel, methodSchedule, methodTrainerOptions, type CopyMethod, type MethodSettings } from "./copy-methods.js";
import { copyReport } from "./copy-report.js";
import { writeReport } from "./html-report.js";
import { onInterrupt } from "./interrupt.js";
import { learnedFrom, learnedText, type CurvePoint, type MethodRun } from "./method-run.js";
import { TrainProgress } from "./progress.js";

/** Sequences in the held-out batch every method is scored on. */
const HELD_OUT = 200;

/** Options of {@link runCopyTask}. */
export interface CopyRunOptions extends ModelShape, MethodSettings {
  /** The methods to compare, run one after another. */
  readonly methods: readonly CopyMethod[];
  /** Steps from the cue to the recall: sequences have `lag + 1` steps. */
  readonly lag: number;
  /** Number of symbols S the cue is drawn from. */
  readonly symbols: number;
  /** Sequences per batch B. */
  readonly batch: number;
  /** Sequence batches each method trains on: its budget. */
  readonly batches: number;
  /** Score on the held-out batch every this many batches. */
  readonly evalEvery: number;
  /** Optimizer. */
  readonly optimizer: OptimizerName;
  /** Learning rate. */
  readonly lr: number;
  /** Seed of the initial weights and of the data. */
  readonly seed: number;
  /** Where to run. */
  readonly backend: BackendName;
  /** Write the HTML report here. */
  readonly report: string;
}

/** What a copy run reached: one entry per method run. */
export interface CopyRunResult {
  /** The methods in the order they ran. */
  readonly runs: readonly MethodRun[];
}

const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** What every method's training shares. */
interface MethodContext {
  /** The model, loaded on the backend. */
  readonly loaded: LoadedProgram;
  /** The model's checked program. */
  readonly program: CheckedProgram;
  /** The batch every method is scored on. */
  readonly heldOut: CopyBatch;
  /** Ctrl-C: stop after the current batch. */
  readonly signal: AbortSignal;
}

/**
 * Trains one method from the seed's weights on the seed's batches (the same
 * for every method), scoring the held-out batch as it goes.
 *
 * ```
 * params = init(seed); rng = rng(seed)
 * for n in 1..batches: trainer.fit(copyBatch(rng)); every evalEvery: score(forward(heldOut))
 * ```
 */
async function trainMethod(method: CopyMethod, o: CopyRunOptions, ctx: MethodContext): Promise<MethodRun> {
  const { loaded, program, heldOut } = ctx;
  const params = initParams(program, o.seed, "float32");
  const trainer = new Trainer(loaded, program, params, methodTrainerOptions(method, o, createOptimizer({ name: o.optimizer, lr: o.lr }), CLIP_NORM));
  const label = methodLabel(method, o);
  const score = async (): Promise<RecallScore> => recallScore((await runForward(loaded, params, heldOut.data, program)).outputs, heldOut.cue);
  const curve: CurvePoint[] = [{ batch: 0, ...(await score()) }];
  const rng = createRng(o.seed);
  const progress = new TrainProgress({ kind: "steps", steps: o.batches });
  let seconds = 0;
  let done = 0;
  while (done < o.batches && !ctx.signal.aborted) {
    const data = copyBatch(rng, o.batch, o.lag, o.symbols).data;
    const start = performance.now();
    const fit = await trainer.fit(data);
    seconds += (performance.now() - start) / 1000;
    done++;
    progress.step(trainer.steps, done, fit.loss, seconds);
    if (done % o.evalEvery === 0 || done === o.batches) curve.push({ batch: done, ...(await score()) });
    // a backend in this thread never waits: yield to the event loop so that Ctrl-C gets through
    await new Promise((resolve) => setImmediate(resolve));
  }
  progress.stop();
  if (curve[curve.length - 1].batch !== done) curve.push({ batch: done, ...(await score()) });
  const final = curve[curve.length - 1];
  const from = learnedFrom(curve);
  return {
    method,
    label,
    batches: done,
    updates: trainer.steps,
    seconds,
    curve,
    final: { accuracy: final.accuracy, loss: final.loss },
    ...(from !== undefined ? { learnedFrom: from } : {}),
  };
}

/**
 * The copy (delayed-recall) task: a recurrent model sees one of S symbols at
 * step 0, then blanks, and must name the symbol at step `lag`. Each method
 * trains the same initial weights on the same sequence batches, and a
 * held-out batch scores the recall as it learns; the terminal gets one line
 * per method, the report the learning curves side by side.
 */
export async function runCopyTask(o: CopyRunOptions): Promise<CopyRunResult> {
  const spec = charModelSpec(o.symbols + 1, o);
  const program = loadProgram(spec);
  const nParams = Object.values(initParams(program, o.seed, "float32")).reduce((a, p) => a + sizeOf(p.shape), 0);
  const steps = o.lag + 1;
  const chance = 1 / o.symbols;
  const layers = `${o.layers}-layer ${o.cell.toUpperCase()} of ${o.hidden} units (${nParams} parameters)`;
  const intro =
    `Copy task: a ${layers} sees one of ${o.symbols} symbols at step 0, then blanks, and must name that symbol at step ${o.lag} ` +
    `(cross-entropy over blank and the symbols at every step; the target is blank except at step ${o.lag}). ` +
    `Every method starts from the same weights (seed ${o.seed}) and trains on the same ${o.batches} batches of ${o.batch} fresh random sequences ` +
    `of ${steps} steps (${o.optimizer}, lr ${o.lr}, gradient norm clipped at ${CLIP_NORM}): the same budget in sequences and forward steps; ` +
    `the updates per batch are each method's own, as said below. A held-out batch of ${HELD_OUT} sequences ` +
    `scores the recall every ${o.evalEvery} batches. Chance is ${percent(chance)}.`;
  process.stdout.write(`${intro}\n`);
  const backend = backends.create(o.backend);
  const interrupt = onInterrupt(() => process.stdout.write("\nCtrl-C: stopping after the current batch (press again to quit at once)\n"));
  const runs: MethodRun[] = [];
  try {
    const loaded = await backend.load(program, { dtype: "float32" });
    // another seed than the training batches', fixed for every method
    const heldOut = copyBatch(createRng(o.seed + 1), HELD_OUT, o.lag, o.symbols);
    for (const method of o.methods) {
      if (interrupt.signal.aborted) break;
      process.stdout.write(`\n${methodLabel(method, o)}: ${methodSchedule(method, o, steps)}.\n`);
      const run = await trainMethod(method, o, { loaded, program, heldOut, signal: interrupt.signal });
      runs.push(run);
      process.stdout.write(
        `${run.label}: recall accuracy ${percent(run.final.accuracy)} (recall loss ${run.final.loss.toFixed(3)} nats) after ` +
          `${run.batches} batches, ${run.updates} updates, ${run.seconds.toFixed(1)} s; ` +
          `${learnedText(run)}.\n`,
      );
    }
  } finally {
    interrupt.dispose();
    await backend.dispose();
  }

  const width = Math.max(...runs.map((r) => r.label.length));
  process.stdout.write(
    `\nRecall accuracy at step ${o.lag} on the held-out batch, after batches of ${o.batch} sequences ` +
      `(chance ${percent(chance)}, recall loss ln ${o.symbols} = ${Math.log(o.symbols).toFixed(3)}):\n`,
  );
  for (const r of runs) {
    process.stdout.write(
      `  ${r.label.padEnd(width)}  ${percent(r.final.accuracy).padStart(6)}  ${String(r.batches).padStart(5)} batches  ` +
        `${String(r.updates).padStart(6)} updates  ${r.seconds.toFixed(1).padStart(6)} s\n`,
    );
  }
  const html = copyReport({ intro, runs, options: o, chance, heldOut: HELD_OUT, clipNorm: CLIP_NORM, model: spec });
  writeReport(o.report, html);
  process.stdout.write(`Report: ${o.report}\n`);
  return { runs };
}
