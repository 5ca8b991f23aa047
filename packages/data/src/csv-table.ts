import { CsvError, parse, type InfoRecord } from "csv-parse/sync";
import { DataError } from "./data-error.js";

/** A CSV file's cells as text, each row with the line it starts on. */
export interface CsvTable {
  /** The header's names, or undefined when the file has no header row. */
  readonly header?: readonly string[];
  /** The data rows, each with its 1-based line number. */
  readonly rows: readonly CsvRow[];
}

/** One data row of a CSV file. */
export interface CsvRow {
  /** The 1-based line it is on. */
  readonly line: number;
  /** Its cells, as text. */
  readonly cells: readonly string[];
}

/** Whether the first row is a header: `true`, `false`, or `"auto"` (a header when one of its cells is not a number). */
export type HeaderMode = boolean | "auto";

/**
 * Splits CSV text into cells with csv-parse (quotes, CRLF, a BOM; blank lines
 * and `#` comment lines skipped). Every row must have as many cells as the
 * first; an error names the line.
 */
export function parseCsvTable(text: string, header: HeaderMode = "auto"): CsvTable {
  let records: { record: string[]; info: InfoRecord }[];
  try {
    // with `info`, each record comes with where it was read (csv-parse's types do not model that option)
    const options = { info: true, bom: true, skip_empty_lines: true, comment: "#", comment_no_infix: true, trim: true };
    records = parse(text, options) as unknown as typeof records;
  } catch (e) {
    if (e instanceof CsvError)
      throw new DataError(e.message.replace(/^Invalid Record Length: /, ""), { line: typeof e.lines === "number" ? e.lines : undefined });
    throw e;
  }
  if (records.length === 0) throw new DataError("the CSV file has no rows");
  const first = records[0].record;
  const hasHeader = header === "auto" ? first.some((cell) => !isNumber(cell)) : header;
  const rows = records.slice(hasHeader ? 1 : 0).map(({ record, info }) => ({ line: info.lines, cells: record }));
  if (rows.length === 0) throw new DataError("the CSV file has a header but no data rows");
  return hasHeader ? { header: first, rows } : { rows };
}

/** A cell that reads as a finite number. */
export function isNumber(cell: string): boolean {
  return cell.trim() !== "" && Number.isFinite(Number(cell));
}
