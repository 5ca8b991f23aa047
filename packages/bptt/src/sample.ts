/**
 * Draws a class from probabilities sharpened by a temperature τ:
 * `p_i^(1/τ) / Σ_j p_j^(1/τ)`, i.e. the softmax of the logits divided by τ.
 * τ below 1 is more conservative, above 1 more random. `rng` gives uniform
 * numbers in [0, 1) (e.g. {@link createRng}), so a seed fixes the draw.
 */
export function sampleCategorical(probs: ArrayLike<number>, temperature: number, rng: () => number): number {
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
