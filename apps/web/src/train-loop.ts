import { createOptimizer, createRng, initParams, Trainer, type Backend } from "@unroll/bptt";
import { loadProgram } from "@unroll/ir";
import { CharVocab } from "./char-vocab.js";
import type { FromTrainer, Progress } from "./protocol.js";
import { sampleText } from "./sampler.js";
import { charModelSpec, type TrainSettings } from "./settings.js";
import { TextStreams } from "./text-streams.js";

/** How a run talks to the outside: the trainer worker wires these to messages. */
export interface LoopHooks {
  /** Receives every message of the run, in order. */
  readonly post: (message: FromTrainer) => void;
  /** True once stop was asked; checked between windows and between sampled characters. */
  readonly stopRequested: () => boolean;
  /** The temperature of the next sample. */
  readonly temperature: () => number;
  /** Runs between windows: lets the thread take messages (the CPU backend never waits). */
  readonly pause: () => Promise<void>;
}

/** Throughput over the last steps: one slow step (a sample, a GC) fades out. */
const RATE_STEPS = 20;

/**
 * Trains a character model on a text until stop is asked: B streams of the
 * text, one optimizer step (Adam, clip-norm 5) per window of K characters, the
 * state carried from window to window (stateful chunked truncated BPTT); at the
 * end of the streams a new pass starts from a zero state. After each step it
 * posts the loss and the recent throughput, every `sampleEvery` steps a sample
 * drawn on `sampler` (T = 1 steps, state carried).
 *
 * ```
 * loop until stopped:
 *   if position + K > L: position = 0; state = zeros
 *   loss, state = window(steps [position, position + K), state); position += K
 * ```
 */
export async function trainUntilStopped(text: string, settings: TrainSettings, backend: Backend, sampler: Backend, hooks: LoopHooks): Promise<number> {
  const { window: K, batch: B } = settings;
  const vocab = CharVocab.ofText(text);
  const program = loadProgram(charModelSpec(vocab.size, settings));
  const params = initParams(program, settings.seed, "float32");
  const [loaded, sampling] = await Promise.all([backend.load(program, { dtype: "float32" }), sampler.load(program, { dtype: "float32" })]);
  const streams = new TextStreams(vocab.encode(text), B, vocab.size);
  if (streams.length < K) throw new Error(`each of the ${B} streams has ${streams.length} characters, fewer than one window of ${K}`);
  const trainer = new Trainer(loaded, program, params, {
    optimizer: createOptimizer({ name: "adam", lr: settings.lr }),
    truncation: { kind: "chunked", window: K },
    stateful: true,
    clipNorm: 5,
  });
  const paramCount = Object.values(params).reduce((n, p) => n + p.data.length, 0);
  hooks.post({ type: "ready", vocabSize: vocab.size, paramCount, streamLength: streams.length, backend: backend.name });
  const rng = createRng(settings.seed + 1);
  const recent: number[] = []; // seconds of the last RATE_STEPS steps
  let position = 0;
  let epoch = 0;
  let seconds = 0;
  while (!hooks.stopRequested()) {
    if (position + K > streams.length) {
      position = 0;
      epoch++;
      trainer.resetState();
    }
    const t0 = performance.now();
    const { loss } = await trainer.fit(streams.slice(position, position + K));
    position += K;
    await hooks.pause();
    if (hooks.stopRequested()) break; // nothing is reported once stop was asked
    const dt = (performance.now() - t0) / 1000;
    seconds += dt;
    recent.push(dt);
    if (recent.length > RATE_STEPS) recent.shift();
    const stepsPerSecond = recent.length / recent.reduce((a, b) => a + b, 0);
    const progress: Progress = { step: trainer.steps, loss, stepsPerSecond, tokensPerSecond: stepsPerSecond * B * K, epoch, seconds };
    hooks.post({ type: "progress", ...progress });
    if (trainer.steps % settings.sampleEvery === 0) {
      const s0 = performance.now();
      const temperature = hooks.temperature();
      const sample = await sampleText({
        loaded: sampling,
        program,
        params,
        vocab,
        length: settings.sampleLength,
        temperature,
        rng,
        cancelled: hooks.stopRequested,
      });
      if (hooks.stopRequested()) break;
      hooks.post({ type: "sample", step: trainer.steps, text: sample, temperature, ms: performance.now() - s0 });
    }
  }
  return trainer.steps;
}
