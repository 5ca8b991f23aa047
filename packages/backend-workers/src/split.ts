import type { RowRange } from "./protocol.js";

/**
 * Contiguous slices of `batch` rows for at most `workers` workers, the first
 * `batch % n` one row longer: 5 rows on 2 workers are rows 0–2 and 3–4. Never
 * more slices than rows, and one (possibly empty) slice for an empty batch.
 */
export function splitRows(batch: number, workers: number): RowRange[] {
  const n = Math.max(1, Math.min(workers, batch));
  const base = Math.floor(batch / n);
  const extra = batch % n;
  const slices: RowRange[] = [];
  for (let k = 0, from = 0; k < n; k++) {
    const to = from + base + (k < extra ? 1 : 0);
    slices.push({ from, to });
    from = to;
  }
  return slices;
}

/** `"rows 3–4"`, `"row 0"` or `"no rows"`, for logs and errors. */
export function describeRows({ from, to }: RowRange): string {
  if (to - from === 0) return "no rows";
  return to - from === 1 ? `row ${from}` : `rows ${from}–${to - 1}`;
}
