import { dtypeOf, zeros, type CheckedProgram, type Tensor } from "@unroll/ir";
import { runForward, sampleCategorical, type LoadedProgram } from "@unroll/bptt";
import type { CharVocab } from "./char-vocab.js";

/** A trained character model, ready to run. */
export interface CharModel {
  /** The program loaded on a backend. */
  readonly loaded: LoadedProgram;
  /** The checked program. */
  readonly program: CheckedProgram;
  /** Its parameters. */
  readonly params: Readonly<Record<string, Tensor>>;
  /** The characters of its classes. */
  readonly vocab: CharVocab;
}

/** Options of {@link sampleText}. */
export interface SampleOptions {
  /** Characters to generate. */
  readonly length: number;
  /** Sharpness: below 1 more conservative, above 1 more random (must be > 0). */
  readonly temperature: number;
  /** Uniform numbers in [0, 1), seeded for reproducible samples. */
  readonly rng: () => number;
  /** Text fed first to set up the state; generation continues after it (default `"\n"`). Characters outside the vocabulary are skipped. */
  readonly prime?: string;
  /** Checked between characters: generation ends early, with what it has, once it returns true. */
  readonly cancelled?: () => boolean;
}

/**
 * Generates text one character at a time, as min-char-rnn's `sample`: run the
 * program for one step (T = 1, B = 1), draw the next character from its
 * softmax output with a temperature, feed it back, carrying the final state.
 *
 * ```
 * state = zeros; for c in prime: p, state = step(onehot(c), state)
 * repeat length: c = draw(p, τ); emit c; p, state = step(onehot(c), state)
 * ```
 */
export async function sampleText(model: CharModel, options: SampleOptions): Promise<string> {
  const { loaded, program, params, vocab } = model;
  const V = vocab.size;
  const dtype = dtypeOf(Object.values(params)[0].data);
  const x = zeros([1, 1, V], dtype);
  const y = zeros([1, 1], dtype);
  let state: Readonly<Record<string, Tensor>> = {};
  const feed = async (id: number): Promise<ArrayLike<number>> => {
    x.data.fill(0);
    x.data[id] = 1;
    const r = await runForward(loaded, params, { sequences: { x, y }, initialState: state }, program);
    state = r.finalState;
    return r.outputs.data;
  };
  const prime = Array.from(options.prime ?? "\n").filter((c) => vocab.has(c));
  let probs = await feed(prime.length > 0 ? vocab.id(prime[0]) : 0);
  for (const c of prime.slice(1)) probs = await feed(vocab.id(c));
  let out = "";
  for (let i = 0; i < options.length && !options.cancelled?.(); i++) {
    const id = sampleCategorical(probs, options.temperature, options.rng);
    out += vocab.chars[id];
    if (i + 1 < options.length) probs = await feed(id);
  }
  return out;
}
