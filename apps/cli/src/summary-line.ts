import type { Tensor } from "@unroll/ir";

/** A loss as the summaries print it: the mean over the counted (step, row) pairs, and how many there were. */
export function lossPhrase(loss: number | undefined, lossRows: number): string {
  if (loss === undefined) return "no loss (the data has no targets)";
  return `loss ${loss.toPrecision(6)} (mean over ${lossRows} counted steps × rows)`;
}

/** A shape as `[T, B, O]`. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Tensors by name with their shapes: `W [1, 8], b [8]`. */
export function shapesText(tensors: Readonly<Record<string, Tensor>>): string {
  return Object.entries(tensors)
    .map(([name, t]) => `${name} ${shapeText(t.shape)}`)
    .join(", ");
}

/** Seconds since `start` (from `performance.now()`), as `0.12 s`. */
export function elapsedText(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(2)} s`;
}
