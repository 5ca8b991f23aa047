import { allocate, type Dtype, type Tensor } from "@unroll/ir";
import { DataError } from "./data-error.js";
import type { SequenceSet } from "./sequence-set.js";
import type { CharVocabulary } from "./vocabulary.js";

/** How a character is given to the model: a one-hot vector of the vocabulary's width, or its id (one number). */
export type CharEncoding = "one-hot" | "ids";

/** How plain text becomes sequences for a character-level model. */
export interface TextSequenceOptions {
  /** Steps per sequence. */
  readonly seqLen: number;
  /** The inputs' encoding: `one-hot` gives `x` `[T, B, V]`, `ids` gives `[T, B]`. */
  readonly input: CharEncoding;
  /** The targets' encoding: `ids` (class ids `[T, B]`, for cross-entropy) or `one-hot` (`[T, B, V]`). */
  readonly target: CharEncoding;
  /** Precision of the tensors (default float32). */
  readonly dtype?: Dtype;
}

/**
 * Next-character sequences from a text: the text's N characters cut into
 * B = floor((N - 1) / T) consecutive pieces of T steps, one per batch row,
 * the target of each character the one after it:
 *
 * ```ts
 * for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) {
 *   x[t][b] = id(text[b * T + t]);
 *   y[t][b] = id(text[b * T + t + 1]);
 * }
 * ```
 *
 * A character outside the vocabulary is a {@link DataError} naming its line
 * and its (1-based) position in the line.
 */
export function textSequences(text: string, vocab: CharVocabulary, options: TextSequenceOptions): SequenceSet {
  const { seqLen } = options;
  if (!(Number.isSafeInteger(seqLen) && seqLen >= 1)) throw new DataError(`the sequence length must be an integer ≥ 1, got ${seqLen}`);
  const ids = encodeText(text, vocab);
  const batch = Math.floor((ids.length - 1) / seqLen);
  if (batch < 1) throw new DataError(`the text has ${ids.length} characters; a sequence length of ${seqLen} needs at least ${seqLen + 1}`);
  const dtype = options.dtype ?? "float32";
  const encode = (offset: number, encoding: CharEncoding): Tensor => {
    const width = encoding === "one-hot" ? vocab.chars.length : 1;
    const data = allocate(dtype, seqLen * batch * width);
    for (let t = 0; t < seqLen; t++) {
      for (let b = 0; b < batch; b++) {
        const id = ids[b * seqLen + t + offset];
        if (encoding === "one-hot") data[(t * batch + b) * width + id] = 1;
        else data[t * batch + b] = id;
      }
    }
    return { shape: encoding === "one-hot" ? [seqLen, batch, width] : [seqLen, batch], data };
  };
  return { sequences: { x: encode(0, options.input), y: encode(1, options.target) } };
}

/** Each character's id; one the vocabulary lacks names its line and position. */
export function encodeText(text: string, vocab: CharVocabulary): number[] {
  const idOf = new Map(vocab.chars.map((c, i) => [c, i]));
  const ids: number[] = [];
  let line = 1;
  let column = 0;
  for (const c of text) {
    column++;
    const id = idOf.get(c);
    if (id === undefined) {
      throw new DataError(
        `the character ${JSON.stringify(c)} is not in the vocabulary (${vocab.chars.length} characters); build the vocabulary from a text that has it`,
        {
          line,
          column,
        },
      );
    }
    ids.push(id);
    if (c === "\n") [line, column] = [line + 1, 0];
  }
  return ids;
}
