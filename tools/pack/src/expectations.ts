/**
 * The figures `npm run examples` checks, one named constant each, so that a change of convention is a one-line change.
 */

/**
 * The first number the README's custom-cell example prints: the loss `computeGradients` reports before training, over
 * four windows of 10 steps: the mean over the 160 counted (step, row) pairs (measured 0.28438; the README says 0.284).
 */
export const CUSTOM_CELL_FIRST_LOSS = 0.284;

/** The README gives the first loss to two decimals: the printed figure must round to it. */
export const CUSTOM_CELL_FIRST_LOSS_TOLERANCE = 0.005;

/** The custom cell's `trainer.fit` loss by epoch 100 (the README: about 0.003; measured 0.00321), well below its 0.25 of epoch 1. */
export const CUSTOM_CELL_FINAL_LOSS_BELOW = 0.01;

/** `unroll train` on examples/sine (GRU 16, seed 1, Adam 0.01, windows of 20): its first window's loss (measured 0.44667). */
export const CLI_FIRST_LOSS = 0.4467;

/** Relative tolerance of the first CLI loss: float32 sums in another order (SIMD widths) move the fifth digit, not the third. */
export const CLI_FIRST_LOSS_RELATIVE_TOLERANCE = 1e-3;

/** `unroll run` with the weights of 20 epochs: its loss (measured 0.00467) must be below this, a hundredth of the first. */
export const CLI_TRAINED_LOSS_BELOW = 0.01;
