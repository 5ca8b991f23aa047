import { InputError } from "./input-error.js";
import type { SequenceData } from "./data.js";
import { selectDataRows } from "./rows.js";

/** A batch of sequences split into training and validation rows. */
export interface ValidationSplit {
  /** The first rows. */
  readonly train: SequenceData;
  /** The last rows. */
  readonly validation: SequenceData;
}

/**
 * Splits a batch of sequences along the batch axis, as Keras's
 * `validation_split` does: the last `B − ⌊B · (1 − fraction)⌋` rows (copied)
 * are the validation data, the rows before them the training data. Nothing
 * is shuffled, so the split is the same every time. Both parts must keep at least one row.
 */
export function splitValidation(data: SequenceData, fraction: number): ValidationSplit {
  if (!(fraction > 0 && fraction < 1)) throw new InputError(`the validation fraction must be in (0, 1), got ${fraction}`);
  const B = Object.values(data.sequences)[0].shape[1];
  const at = Math.floor(B * (1 - fraction));
  if (at < 1 || at >= B) {
    throw new InputError(
      `a validation fraction of ${fraction} of ${B} sequences leaves ${at} for training and ${B - at} for validation; each needs at least one`,
    );
  }
  return { train: selectDataRows(data, 0, at), validation: selectDataRows(data, at, B) };
}
