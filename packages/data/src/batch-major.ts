/** What is known of the data's layout besides `x` itself. */
export interface LayoutHints {
  /** The batch size, when the data declares it elsewhere (the length of `lengths`, or the rows of an initial state). */
  readonly batch?: number;
}

/** Why `x` looks batch-major `[B][T][…]` rather than time-major `[T][B][…]`. */
export interface BatchMajorSuspicion {
  /** The first dimension, read as time-major: the steps T. */
  readonly first: number;
  /** The second dimension, read as time-major: the rows B. */
  readonly second: number;
  /** The evidence, one sentence. */
  readonly reason: string;
}

/**
 * Whether nested data `x` (meant time-major, `[T][B][…]`) looks batch-major
 * instead. Two rules, in order:
 *
 * 1. When the batch size B is known from elsewhere: the second dimension is
 *    not B but the first is.
 * 2. Otherwise, with at least 3 × 3 entries, by smoothness: a time series
 *    changes little from one step to the next, while its rows are unrelated
 *    series. When the mean absolute difference between neighbours along the
 *    second dimension is under half of that along the first, the second
 *    dimension behaves like time. One-hot text and shuffled data differ
 *    alike along both, so they never trigger it.
 *
 * Returns undefined when neither rule fires, or when `x` is not a nested
 * array of numbers (the loader reports that).
 */
export function batchMajorSuspicion(x: unknown, hints: LayoutHints = {}): BatchMajorSuspicion | undefined {
  if (!Array.isArray(x) || !Array.isArray(x[0])) return undefined;
  const first = x.length;
  const second = (x[0] as unknown[]).length;
  if (hints.batch !== undefined) {
    if (second !== hints.batch && first === hints.batch) {
      return { first, second, reason: `the data gives ${hints.batch} rows elsewhere, and that is the first dimension, not the second` };
    }
    return undefined;
  }
  if (first < 3 || second < 3) return undefined;
  const cells = x.map((row) => (Array.isArray(row) ? row.map(leaves) : []));
  if (cells.some((row) => row.length !== second)) return undefined;
  const along0 = meanDifference(first - 1, second, (i, j) => [cells[i][j], cells[i + 1][j]]);
  const along1 = meanDifference(first, second - 1, (i, j) => [cells[i][j], cells[i][j + 1]]);
  if (!(along0 > 0 && along1 < 0.5 * along0)) return undefined;
  return {
    first,
    second,
    reason: `neighbours along the second dimension differ by ${along1.toPrecision(2)} on average, under half of ${along0.toPrecision(2)} along the first, as consecutive time steps do`,
  };
}

/** The numbers of a nested array, in order. */
function leaves(value: unknown): number[] {
  if (typeof value === "number") return [value];
  return Array.isArray(value) ? value.flatMap(leaves) : [];
}

/** Mean |a - b| over the pairs `pair(i, j)` for i < n, j < m, element by element. */
function meanDifference(n: number, m: number, pair: (i: number, j: number) => [number[], number[]]): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const [a, b] = pair(i, j);
      for (let k = 0; k < Math.min(a.length, b.length); k++) {
        sum += Math.abs(a[k] - b[k]);
        count++;
      }
    }
  }
  return count === 0 ? 0 : sum / count;
}
