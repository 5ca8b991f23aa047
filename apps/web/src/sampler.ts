import { runForward, type LoadedProgram } from "@unroll/bptt";
import type { CheckedProgram, Tensor } from "@unroll/ir";
import type { CharVocab } from "./char-vocab.js";

/**
 * Draws a class from probabilities sharpened by a temperature τ:
 * `p_i^(1/τ) / Σ_j p_j^(1/τ)`, i.e. the softmax of the logits divided by τ.
 */
export function sampleIndex(probs: ArrayLike<number>, temperature: number, rng: () => number): number {
  if (!(temperature > 0)) throw new Error(`the temperature must be positive, got ${temperature}`);
  let max = -Infinity;
  for (let i = 0; i < probs.length; i++) max = Math.max(max, Math.log(probs[i]));
  const w = new Float64Array(probs.length);
  let sum = 0;
  for (let i = 0; i < probs.length; i++) sum += w[i] = Math.exp((Math.log(probs[i]) - max) / temperature);
  let u = rng() * sum;
  for (let i = 0; i < w.length; i++) if ((u -= w[i]) < 0) return i;
  return w.length - 1;
}

/** What {@link sampleText} runs and how. */
export interface SampleOptions {
  readonly loaded: LoadedProgram;
  readonly program: CheckedProgram;
  readonly params: Readonly<Record<string, Tensor>>;
  readonly vocab: CharVocab;
  /** Characters to generate. */
  readonly length: number;
  /** Sampling temperature (> 0). */
  readonly temperature: number;
  /** Uniform numbers in [0, 1). */
  readonly rng: () => number;
  /** Text fed first to set up the state (default a line break). */
  readonly prime?: string;
  /** Checked between characters: generation ends early once it returns true. */
  readonly cancelled?: () => boolean;
}

/**
 * Generates text one character at a time, as min-char-rnn's `sample`: run the
 * program for one step (T = 1, B = 1), draw the next character from its
 * softmax output, feed it back, carrying the final state.
 *
 * ```
 * state = zeros; for c in prime: p, state = step(onehot(c), state)
 * repeat length: c = draw(p, τ); emit c; p, state = step(onehot(c), state)
 * ```
 */
export async function sampleText(options: SampleOptions): Promise<string> {
  const { loaded, program, params, vocab } = options;
  const V = vocab.size;
  const x: Tensor = { shape: [1, 1, V], data: new Float32Array(V) };
  const y: Tensor = { shape: [1, 1], data: new Float32Array(1) };
  let state: Readonly<Record<string, Tensor>> = {};
  const feed = async (id: number): Promise<ArrayLike<number>> => {
    x.data.fill(0);
    x.data[id] = 1;
    const r = await runForward(loaded, params, { sequences: { x, y }, initialState: state }, program);
    state = r.finalState;
    return r.outputs.data;
  };
  const prime = Array.from(options.prime ?? "\n").flatMap((c) => vocab.idOf(c) ?? []);
  let probs = await feed(prime[0] ?? 0);
  for (const id of prime.slice(1)) probs = await feed(id);
  let out = "";
  for (let i = 0; i < options.length && !options.cancelled?.(); i++) {
    const id = sampleIndex(probs, options.temperature, options.rng);
    out += vocab.chars[id];
    if (i + 1 < options.length) probs = await feed(id);
  }
  return out;
}
