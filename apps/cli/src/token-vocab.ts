import type { CheckedProgram } from "@unroll/ir";

/** The table a data sequence of ids indexes, and its number of rows. */
export interface TokenTable {
  /** The id of the table (`"embedding.table"` in a model spec). */
  readonly table: string;
  /** Its number of rows V: valid ids are the integers of `[0, V)`. */
  readonly vocab: number;
}

/**
 * The table that data sequence `name` indexes as token ids (a `gather` node
 * reading it as ids), or undefined when no node does. With several, the
 * smallest, so that every id is valid for all of them.
 */
export function tokenTable(program: CheckedProgram, name: string): TokenTable | undefined {
  let found: TokenTable | undefined;
  for (const { checked } of program.stages) {
    for (const node of checked.order) {
      if (node.op !== "gather" || node.inputs[1] !== name) continue;
      const rows = checked.shapes.get(node.inputs[0])![0];
      if (typeof rows === "number" && (found === undefined || rows < found.vocab)) found = { table: node.inputs[0], vocab: rows };
    }
  }
  return found;
}
