import { allocate, type Dtype } from "@unroll/ir";
import type { SequenceData } from "@unroll/bptt";
import type { StreamSource } from "./stream-source.js";

/**
 * A text (as class ids) cut into B contiguous streams of L = ⌊(N-1)/B⌋ steps,
 * as char-rnn does: stream b reads characters `b·L … b·L + L - 1` and predicts
 * each one's successor. Step t of the batch is character t of every stream,
 * one-hot, so a state carried from window to window keeps reading its own stream.
 *
 * ```
 * x[t][b] = onehot(ids[b·L + t]);  y[t][b] = ids[b·L + t + 1]
 * ```
 */
export class TextStreams implements StreamSource {
  /** Steps per stream L. */
  readonly length: number;

  /** Cuts `ids` into `batch` streams; inputs and targets in `dtype` (default float32). */
  constructor(
    private readonly ids: Int32Array,
    /** Number of streams B. */
    readonly batch: number,
    /** Vocabulary size V (width of the one-hot input). */
    readonly vocabSize: number,
    private readonly dtype: Dtype = "float32",
  ) {
    if (!(Number.isInteger(batch) && batch >= 1)) throw new Error(`the number of streams must be a positive integer, got ${batch}`);
    this.length = Math.floor((ids.length - 1) / batch);
    if (this.length < 1) throw new Error(`a text of ${ids.length} characters is too short for ${batch} streams`);
  }

  /** One-hot inputs `x [T, B, V]` and next-character class ids `y [T, B]` for steps `[start, end)`. */
  slice(start: number, end: number): SequenceData {
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= this.length)) {
      throw new Error(`steps [${start}, ${end}) are outside the streams' ${this.length} steps`);
    }
    const T = end - start;
    const { batch: B, vocabSize: V } = this;
    const x = allocate(this.dtype, T * B * V);
    const y = allocate(this.dtype, T * B);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const at = b * this.length + start + t;
        x[(t * B + b) * V + this.ids[at]] = 1;
        y[t * B + b] = this.ids[at + 1];
      }
    }
    return { sequences: { x: { shape: [T, B, V], data: x }, y: { shape: [T, B], data: y } } };
  }
}
