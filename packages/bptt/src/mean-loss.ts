/** A mean loss and the number of (step, row) pairs it is the mean of: what a window reports. */
export interface CountedLoss {
  /** Mean per-row loss over the counted (step, row) pairs. */
  readonly loss: number;
  /** Number of (step, row) pairs that counted: steps from the loss start on, rows within their length. */
  readonly lossRows: number;
}

/** No loss yet: the start of a running {@link addLoss}. */
export const NO_LOSS: CountedLoss = { loss: 0, lossRows: 0 };

/**
 * Two losses as one: the mean over both parts' counted (step, row) pairs,
 * each part weighted by its count (a part with no counted pairs adds nothing).
 */
export function addLoss(a: CountedLoss, b: CountedLoss): CountedLoss {
  const lossRows = a.lossRows + b.lossRows;
  if (lossRows === 0) return NO_LOSS;
  // weighted by count: a short last window weighs less than a full one
  return { loss: (a.loss * a.lossRows + b.loss * b.lossRows) / lossRows, lossRows };
}

/**
 * The loss convention of every single loss unroll reports (`computeGradients`,
 * `Trainer.fit`, the CLI's `run`, `grad` and `train`, the demos): the mean
 * per-row loss over every counted (step, row) pair of the sequence, whatever
 * the windows it was computed in. It equals the loss of one forward pass over
 * the whole sequence. Gradients are not averaged this way: truncated BPTT sums
 * the windows' gradients, each the gradient of its own window's mean.
 *
 * ```
 * sum = 0; rows = 0
 * for each window w:  sum += w.loss * w.lossRows;  rows += w.lossRows
 * return rows > 0 ? sum / rows : 0
 * ```
 */
export function meanLoss(parts: Iterable<CountedLoss>): number {
  let total = NO_LOSS;
  for (const p of parts) total = addLoss(total, p);
  return total.loss;
}
