import { runForward, sampleCategorical, type LoadedProgram } from "@unroll/bptt";
import type { CheckedProgram, Tensor } from "@unroll/ir";
import type { CharVocab } from "./char-vocab.js";

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
    const id = sampleCategorical(probs, options.temperature, options.rng);
    out += vocab.chars[id];
    if (i + 1 < options.length) probs = await feed(id);
  }
  return out;
}
