import { allocate, type Dtype, type Tensor } from "@unroll/ir";
import { resolveColumns, type Column, type ColumnRef } from "./columns.js";
import { parseCsvTable, type CsvTable, type HeaderMode } from "./csv-table.js";
import { DataError } from "./data-error.js";
import type { SequenceSet } from "./sequence-set.js";

/** How rows of a CSV time series become sequences (one row per time step). */
export interface CsvSeriesOptions {
  /** The input columns, by header name or 0-based index, in the order of `x`'s features. */
  readonly inputCols: readonly ColumnRef[];
  /** The target columns; without them, `targetShift` alone makes the inputs shifted its targets, and with neither there are no targets. */
  readonly targetCols?: readonly ColumnRef[];
  /** The target at step t is the target columns' row t + k (default 0 with target columns; the next-step prediction is 1). */
  readonly targetShift?: number;
  /** Rows with the same value in this column form one sequence (one batch row), in file order; unequal lengths get `lengths`. */
  readonly sequenceCol?: ColumnRef;
  /** Cut the one long series into windows of this many steps (one batch row each). */
  readonly window?: number;
  /** Steps between the starts of consecutive windows (default: the window, so they do not overlap). */
  readonly stride?: number;
  /** Whether the first row is a header (default `"auto"`). */
  readonly header?: HeaderMode;
  /** Precision of the tensors (default float32). */
  readonly dtype?: Dtype;
}

/**
 * Time-major sequences from a CSV time series, one row per time step. Its
 * meaning, as a loop over one sequence `rows` (all rows, a sequence id's
 * rows, or one window):
 *
 * ```ts
 * for (let t = 0; t + k < rows.length; t++) {
 *   x[t][b] = inputCols.map((c) => rows[t][c]);
 *   y[t][b] = (targetCols ?? inputCols).map((c) => rows[t + k][c]);
 * }
 * ```
 *
 * Windows are cut after the shift, so every window's targets lie inside the
 * series. A cell that is missing or not a number is a {@link DataError}
 * naming its line and column.
 */
export function csvSequences(text: string, options: CsvSeriesOptions): SequenceSet {
  checkOptions(options);
  const table = parseCsvTable(text, options.header ?? "auto");
  const inputs = resolveColumns(table, options.inputCols, "input column");
  const targets = options.targetCols ? resolveColumns(table, options.targetCols, "target column") : options.targetShift !== undefined ? inputs : undefined;
  const shift = options.targetShift ?? 0;
  const x = readColumns(table, inputs);
  const y = targets && readColumns(table, targets);
  let spans: Span[];
  if (options.sequenceCol !== undefined) {
    const [idCol] = resolveColumns(table, [options.sequenceCol], "sequence column");
    spans = groupById(table, idCol, shift);
  } else {
    spans = windows(table.rows.length, shift, options.window, options.stride ?? options.window);
  }
  const dtype = options.dtype ?? "float32";
  const steps = Math.max(...spans.map((s) => s.length));
  const lengths = spans.map((s) => s.length);
  return {
    sequences: { x: gather(x, inputs.length, spans, steps, 0, dtype), ...(y ? { y: gather(y, y[0].length, spans, steps, shift, dtype) } : {}) },
    ...(lengths.some((n) => n !== steps) ? { lengths } : {}),
  };
}

/** One sequence: the rows (indices into the table) it reads, and its steps: `length` = its rows less the shift. */
interface Span {
  readonly rows: readonly number[];
  readonly length: number;
}

function checkOptions(o: CsvSeriesOptions): void {
  if (o.inputCols.length === 0) throw new DataError("choose at least one input column");
  const count = (v: number | undefined, what: string, min: number): void => {
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= min)) throw new DataError(`${what} must be an integer ≥ ${min}, got ${v}`);
  };
  count(o.targetShift, "the target shift", 0);
  count(o.window, "the window", 1);
  count(o.stride, "the stride", 1);
  if (o.sequenceCol !== undefined && o.window !== undefined) throw new DataError("give either a sequence column or a window, not both");
  if (o.stride !== undefined && o.window === undefined) throw new DataError("a stride needs a window");
}

/** The chosen columns of every row as numbers; a missing or non-numeric cell names its line and column. */
function readColumns(table: CsvTable, cols: readonly Column[]): number[][] {
  return table.rows.map(({ line, cells }) =>
    cols.map(({ index, label }) => {
      const cell = cells[index];
      if (cell === undefined || cell.trim() === "") throw new DataError("the cell is empty; it must be a number", { line, column: label });
      const v = Number(cell);
      if (!Number.isFinite(v)) throw new DataError(`${JSON.stringify(cell)} is not a finite number`, { line, column: label });
      return v;
    }),
  );
}

/** Rows grouped by their id, in the order ids first appear; each group loses its last `shift` steps to the shift. */
function groupById(table: CsvTable, idCol: Column, shift: number): Span[] {
  const groups = new Map<string, { rows: number[]; line: number }>();
  table.rows.forEach(({ line, cells }, i) => {
    const id = cells[idCol.index];
    if (id === undefined || id === "") throw new DataError("the sequence id is empty", { line, column: idCol.label });
    const group = groups.get(id) ?? groups.set(id, { rows: [], line }).get(id)!;
    group.rows.push(i);
  });
  return [...groups].map(([id, { rows, line }]) => {
    if (rows.length <= shift) {
      throw new DataError(`sequence ${JSON.stringify(id)} has ${rows.length} rows; a target shift of ${shift} needs at least ${shift + 1}`, { line });
    }
    return { rows, length: rows.length - shift };
  });
}

/** The whole series as one sequence, or windows of `window` steps every `stride` steps over the `rows - shift` usable steps. */
function windows(rows: number, shift: number, window: number | undefined, stride: number | undefined): Span[] {
  const usable = rows - shift;
  const all = (start: number, n: number): number[] => Array.from({ length: n }, (_, t) => start + t);
  if (window === undefined) {
    if (usable < 1) throw new DataError(`the series has ${rows} rows; a target shift of ${shift} needs at least ${shift + 1}`);
    return [{ rows: all(0, rows), length: usable }];
  }
  if (usable < window) {
    throw new DataError(
      `the series has ${rows} rows, ${usable} after the target shift of ${shift}: fewer than one window of ${window}; use a --window of at most ${usable}`,
    );
  }
  const spans: Span[] = [];
  for (let start = 0; start + window <= usable; start += stride!) spans.push({ rows: all(start, window + shift), length: window });
  return spans;
}

/** `[T, B, width]` from per-row values, row b's step t reading table row `spans[b].rows[t + shift]`; steps past a span's length stay zero. */
function gather(values: readonly number[][], width: number, spans: readonly Span[], steps: number, shift: number, dtype: Dtype): Tensor {
  const batch = spans.length;
  const data = allocate(dtype, steps * batch * width);
  spans.forEach((span, b) => {
    for (let t = 0; t < span.length; t++) {
      const row = values[span.rows[t + shift]];
      for (let j = 0; j < width; j++) data[(t * batch + b) * width + j] = row[j];
    }
  });
  return { shape: [steps, batch, width], data };
}
