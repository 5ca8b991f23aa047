import { DataError } from "./data-error.js";
import type { CsvTable } from "./csv-table.js";

/** A column chosen by its header name or by its 0-based index. */
export type ColumnRef = string | number;

/** A chosen column: its index and how messages name it (the header name, else the index). */
export interface Column {
  /** 0-based index in each row. */
  readonly index: number;
  /** The header name, or the index when the file has no header. */
  readonly label: string | number;
}

/**
 * Finds each column by its header name (first) or by its 0-based index (a
 * number, or text that is all digits); an unknown one is an error that lists
 * the columns there are.
 */
export function resolveColumns(table: CsvTable, refs: readonly ColumnRef[], what: string): Column[] {
  const width = table.header?.length ?? table.rows[0].cells.length;
  const valid = table.header
    ? `the header's names (${table.header.join(", ")}) or indices 0 to ${width - 1}`
    : `indices 0 to ${width - 1} (the file has no header)`;
  return refs.map((ref) => {
    const byName = typeof ref === "string" ? (table.header?.indexOf(ref) ?? -1) : -1;
    const index = byName >= 0 ? byName : typeof ref === "number" || /^\d+$/.test(ref) ? Number(ref) : -1;
    if (!(index >= 0 && index < width)) throw new DataError(`${what} ${JSON.stringify(ref)} is not a column; columns are ${valid}`);
    return { index, label: table.header?.[index] ?? index };
  });
}
