import { createHash } from "node:crypto";
import { loadProgram, sizeOf, type Tensor } from "@unroll/ir";
import { createOptimizer, createRng, initParams, meanLoss, Trainer, type CountedLoss } from "@unroll/bptt";
import { backends, type BackendName } from "@unroll/backends";
import { CharVocab, charModelSpec, sampleText, streamTrainerOptions, TextStreams, trainStreams, type Budget, type CharModel } from "@unroll/demo-kit";
import { CHECKPOINT_FORMAT, loadTensors, saveCheckpoint, saveTensors, type Checkpoint } from "./checkpoint.js";
import { writeReport, type SampleRecord } from "./html-report.js";
import { onInterrupt } from "./interrupt.js";
import { TrainProgress } from "./progress.js";
import type { TextSettings } from "./settings.js";
import { loadCorpus } from "./text-corpus.js";
import { textReport, type TextReportData } from "./text-report.js";
import { UserError } from "./user-error.js";

/** Options of {@link runTextTask}. */
export interface TextRunOptions {
  /** The run's settings (a resumed run's come from its checkpoint). */
  readonly settings: TextSettings;
  /** Continue this checkpoint instead of starting from fresh weights. */
  readonly resume?: Checkpoint;
  /** How long to train in this run. */
  readonly budget: Budget;
  /** Where to run. */
  readonly backend: BackendName;
  /** Print a sample every this many steps (0: never). */
  readonly sampleEvery: number;
  /** Temperature of the samples. */
  readonly temperature: number;
  /** Write a checkpoint here at the end. */
  readonly save?: string;
  /** Write the HTML report here. */
  readonly report: string;
}

/** What a text run reached. */
export interface TextRunResult {
  /** Optimizer steps done in total (resumed ones included). */
  readonly steps: number;
  /** Mean loss of the last 20 steps. */
  readonly finalLoss: number;
  /** A sample from the final model. */
  readonly finalSample: string;
}

/** Characters in each sample printed during training. */
const SAMPLE_CHARS = 100;
/** Characters in the final sample. */
const FINAL_SAMPLE_CHARS = 400;
/** Steps averaged for the reported loss. */
const RECENT = 20;

/** The seed of the sample taken after `step` steps: reproducible, and the same whether or not the run was resumed. */
export function sampleSeed(seed: number, step: number): number {
  return (Math.imul(seed, 1_000_003) + step) >>> 0;
}

/** A sample on one line: line breaks shown as " / ", as poetry is quoted. */
export function oneLine(text: string): string {
  return text.replace(/\n+/g, " / ").trim();
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** A fingerprint of the text, so that a checkpoint is resumed on the text it was trained on. */
function textHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Trains a character-level language model on a text streamed in windows
 * (truncated BPTT over B parallel streams, the state carried), printing a
 * progress bar and a sample every few steps; then prints a summary, writes
 * the HTML report and, if asked, a checkpoint.
 */
export async function runTextTask(options: TextRunOptions): Promise<TextRunResult> {
  const { settings: s, resume } = options;
  const corpus = loadCorpus(s.text ?? undefined);
  const hash = textHash(corpus.text);
  if (resume && resume.textHash !== hash) throw new UserError(`the text ${corpus.name} is not the one the checkpoint was trained on`);
  const vocab = resume ? new CharVocab(resume.vocab) : CharVocab.ofText(corpus.text);
  const spec = charModelSpec(vocab.size, s);
  const program = loadProgram(spec);
  const params: Record<string, Tensor> = resume ? loadTensors(resume.params) : initParams(program, s.seed, "float32");
  const backend = backends.create(options.backend);
  try {
    const loaded = await backend.load(program, { dtype: "float32" });
    const model: CharModel = { loaded, program, params, vocab };
    const optimizer = createOptimizer({ name: s.optimizer, lr: s.lr });
    if (resume) optimizer.load(resume.optimizer);
    // deltaNorms: each step reports the gradient flow through its window, for the report's chart
    const trainer = new Trainer(loaded, program, params, { ...streamTrainerOptions(s.window, optimizer), deltaNorms: true });
    const source = new TextStreams(vocab.encode(corpus.text), s.batch, vocab.size);
    const losses = [...(resume?.losses ?? [])];
    // the windows' losses with their counts, for the mean over counted steps every loss figure reports
    const counted: CountedLoss[] = [];
    // a checkpoint keeps the losses alone: windows of equal counts, whose plain mean is that mean
    const recentLoss = (): number => (counted.length > 0 ? meanLoss(counted.slice(-RECENT)) : mean(losses.slice(-RECENT)));
    const samples: SampleRecord[] = [...(resume?.samples ?? [])];
    const nParams = Object.values(params).reduce((a, p) => a + sizeOf(p.shape), 0);
    const layers = `${s.layers} ${s.cell.toUpperCase()} layer${s.layers > 1 ? "s" : ""} of ${s.hidden}`;
    const intro =
      `A character-level language model (${layers}, ${nParams.toLocaleString("en-US")} parameters) learns ${corpus.name} ` +
      `(${Array.from(corpus.text).length.toLocaleString("en-US")} characters, ${vocab.size} distinct), read as ${s.batch} parallel streams ` +
      `in windows of ${s.window} characters with the state carried (truncated BPTT); ${s.optimizer}, lr ${s.lr}, seed ${s.seed}.`;
    process.stdout.write(`${intro}\n`);
    if (resume) process.stdout.write(`Resuming at step ${resume.step} (pass ${resume.epoch + 1}, stream position ${resume.position}).\n`);
    process.stdout.write(`A uniform guess scores a loss of ln ${vocab.size} = ${Math.log(vocab.size).toFixed(3)}.\n`);

    const progress = new TrainProgress(options.budget);
    const interrupt = onInterrupt(() => progress.line("Ctrl-C: stopping after the current window (press again to quit at once)"));
    const startStep = resume?.step ?? 0;
    const start = {
      step: startStep,
      position: resume?.position ?? 0,
      epoch: resume?.epoch ?? 0,
      ...(resume?.state ? { state: loadTensors(resume.state) } : {}),
    };
    let seconds = 0;
    let lastFlow: TextReportData["lastFlow"];
    const end = await trainStreams(start, {
      trainer,
      source,
      window: s.window,
      budget: options.budget,
      stopRequested: () => interrupt.signal.aborted,
      ...(options.sampleEvery > 0 ? { pauseEvery: options.sampleEvery } : {}),
      onStep: ({ step, loss, seconds: t, report }) => {
        losses.push(loss);
        counted.push(report);
        if (report.deltaNorms) lastFlow = { step, deltaNorms: report.deltaNorms };
        seconds = t;
        progress.step(step, step - startStep, loss, t);
      },
      onPause: async ({ step }) => {
        const text = await sampleText(model, { length: SAMPLE_CHARS, temperature: options.temperature, rng: createRng(sampleSeed(s.seed, step)) });
        const loss = recentLoss();
        samples.push({ step, loss, text });
        progress.line(`step ${String(step).padStart(5)} | loss ${loss.toFixed(3)} | ${oneLine(text)}`);
      },
    });
    progress.stop();
    interrupt.dispose();

    const done = end.step - startStep;
    const finalLoss = recentLoss();
    // a seed of its own, so that the final sample does not repeat the last one printed
    const finalSample = await sampleText(model, {
      length: FINAL_SAMPLE_CHARS,
      temperature: options.temperature,
      rng: createRng(sampleSeed(s.seed, end.step) ^ 0x5bd1e995),
    });
    const totalSeconds = (resume?.seconds ?? 0) + seconds;
    process.stdout.write(`\nSample after ${end.step} steps (temperature ${options.temperature}):\n\n${finalSample}\n\n`);
    process.stdout.write(
      `Trained ${done} steps in ${seconds.toFixed(1)} s (${(done / Math.max(seconds, 1e-9)).toFixed(1)} steps/s), ${end.step} in all, ${end.epoch} full passes over the text.\n`,
    );
    if (losses.length > 0)
      process.stdout.write(
        `Loss: ${losses[0].toFixed(3)} at step 1; final loss ${finalLoss.toFixed(3)} (mean over the counted steps of the last ${Math.min(RECENT, losses.length)} windows).\n`,
      );

    if (options.save) {
      const checkpoint: Checkpoint = {
        format: CHECKPOINT_FORMAT,
        settings: { ...s },
        textHash: hash,
        vocab: [...vocab.chars],
        step: end.step,
        position: end.position,
        epoch: end.epoch,
        params: saveTensors(params),
        optimizer: optimizer.state(),
        state: end.state ? saveTensors(end.state) : null,
        losses,
        samples,
        seconds: totalSeconds,
      };
      saveCheckpoint(options.save, checkpoint);
      process.stdout.write(`Checkpoint: ${options.save}\n`);
    }

    const html = textReport({
      corpusName: corpus.name,
      intro,
      losses,
      recent: RECENT,
      vocabSize: vocab.size,
      samples,
      finalSample,
      steps: end.step,
      epochs: end.epoch,
      seconds: totalSeconds,
      settings: s,
      backend: options.backend,
      temperature: options.temperature,
      model: spec,
      ...(lastFlow ? { lastFlow } : {}),
    });
    writeReport(options.report, html);
    process.stdout.write(`Report: ${options.report}\n`);
    return { steps: end.step, finalLoss, finalSample };
  } finally {
    await backend.dispose();
  }
}
