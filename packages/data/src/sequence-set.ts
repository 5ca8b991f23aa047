import type { Tensor } from "@unroll/ir";

/**
 * Time-major sequences, the shape `@unroll/bptt`'s `SequenceData` takes:
 * `x` is `[T, B, I]`, `y` (when there are targets) `[T, B, O]`, and
 * `lengths` (when rows have unequal lengths) the steps of each row that are
 * data; the steps past a row's length are padding (zeros), masked out of the
 * loss and the gradients.
 */
export interface SequenceSet {
  /** The inputs `x` and, when there are targets, `y`. */
  readonly sequences: Readonly<Record<string, Tensor>>;
  /** Per-row lengths, only when they differ. */
  readonly lengths?: readonly number[];
}
