/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of a non-empty list, interpolating linearly
 * between order statistics (R's type 7, numpy's default), so that quartiles of
 * a few timings are not just one of the samples.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return lo + 1 < s.length ? s[lo] + (s[lo + 1] - s[lo]) * (at - lo) : s[lo];
}

/** Interquartile range: the spread of the middle half, which one slow outlier step does not move. */
export function interquartileRange(values: readonly number[]): number {
  return quantile(values, 0.75) - quantile(values, 0.25);
}

/** Spread of timings: the smallest and largest value. */
export function range(values: readonly number[]): { readonly min: number; readonly max: number } {
  return { min: Math.min(...values), max: Math.max(...values) };
}

/** GFLOP/s of `flops` done in `ms` milliseconds. */
export function gflops(flops: number, ms: number): number {
  return flops / ms / 1e6;
}

/** |a - b| relative to the larger magnitude (0 when both are 0). */
export function relativeDifference(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}

/** Peak resident set size of this process so far, in MB (includes its worker threads). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
