import { createOptimizer, createRng, initParams, Trainer, type Backend } from "@unroll/bptt";
import { CharVocab, charModelSpec, sampleText, streamTrainerOptions, TextStreams, trainStreams } from "@unroll/demo-kit";
import { loadProgram } from "@unroll/ir";
import type { FromTrainer, Progress } from "./protocol.js";
import type { TrainSettings } from "./settings.js";

/** How a run talks to the outside: the trainer worker wires these to messages. */
export interface LoopHooks {
  /** Receives every message of the run, in order. */
  readonly post: (message: FromTrainer) => void;
  /** True once stop was asked; checked between windows and between sampled characters. */
  readonly stopRequested: () => boolean;
  /** The temperature of the next sample. */
  readonly temperature: () => number;
}

/** Throughput over the last steps: one slow step (a GC) fades out. */
const RATE_STEPS = 20;

/**
 * Trains a character model on a text until stop is asked, with the demos'
 * shared loop (`trainStreams` of `@unroll/demo-kit`: B streams of the text,
 * one optimizer step per window of K characters, the state carried; a new
 * pass from a zero state at the end of the streams). One window per `fit`
 * call, so that a stop is seen after the current window. After each step it
 * posts the loss, the recent throughput and the window's gradient flow, every `sampleEvery` steps a
 * sample drawn on `sampler` (T = 1 steps, state carried). Nothing is posted
 * once stop was asked.
 */
export async function trainUntilStopped(text: string, settings: TrainSettings, backend: Backend, sampler: Backend, hooks: LoopHooks): Promise<number> {
  const { window: K, batch: B } = settings;
  const vocab = CharVocab.ofText(text);
  const program = loadProgram(charModelSpec(vocab.size, settings));
  const params = initParams(program, settings.seed, "float32");
  const [loaded, sampling] = await Promise.all([backend.load(program, { dtype: "float32" }), sampler.load(program, { dtype: "float32" })]);
  const source = new TextStreams(vocab.encode(text), B, vocab.size);
  // deltaNorms: every step reports the gradient flow through its window, for the page's chart
  const trainer = new Trainer(loaded, program, params, {
    ...streamTrainerOptions(K, createOptimizer({ name: settings.optimizer, lr: settings.lr })),
    deltaNorms: true,
  });
  const paramCount = Object.values(params).reduce((n, p) => n + p.data.length, 0);
  hooks.post({ type: "ready", vocabSize: vocab.size, paramCount, streamLength: source.length, backend: backend.name });
  const rng = createRng(settings.seed + 1);
  const recent: number[] = []; // seconds of the last RATE_STEPS steps
  let last = 0;
  const end = await trainStreams(
    { step: 0, position: 0, epoch: 0 },
    {
      trainer,
      source,
      window: K,
      windowsPerFit: 1,
      pauseEvery: settings.sampleEvery,
      stopRequested: hooks.stopRequested,
      onStep: ({ step, loss, epoch, seconds, report }) => {
        if (hooks.stopRequested()) return;
        recent.push(seconds - last);
        last = seconds;
        if (recent.length > RATE_STEPS) recent.shift();
        const stepsPerSecond = recent.length / recent.reduce((a, b) => a + b, 0);
        const progress: Progress = { step, loss, stepsPerSecond, tokensPerSecond: stepsPerSecond * B * K, epoch, seconds, deltaNorms: report.deltaNorms ?? {} };
        hooks.post({ type: "progress", ...progress });
      },
      onPause: async (at) => {
        if (hooks.stopRequested()) return;
        const s0 = performance.now();
        const temperature = hooks.temperature();
        const sample = await sampleText(
          { loaded: sampling, program, params, vocab },
          { length: settings.sampleLength, temperature, rng, cancelled: hooks.stopRequested },
        );
        if (hooks.stopRequested()) return;
        hooks.post({ type: "sample", step: at.step, text: sample, temperature, ms: performance.now() - s0 });
      },
    },
  );
  return end.step;
}
