import { opKinds, ops } from "./ops/index.js";
import { input, renderJs } from "./scalar-expr.js";

/** The markers around the generated op table in `docs/guides/graph-ir.md`. */
export const OP_TABLE_BEGIN = "<!-- op table: generated from the ops' definitions by `npm run docs:ops`; do not edit by hand -->";
/** The end marker of the generated op table. */
export const OP_TABLE_END = "<!-- end of op table -->";

/** One markdown table row; empty cells stay empty. */
const row = (cells: readonly string[]): string => `|${cells.map((c) => (c ? ` ${c.replaceAll("|", "\\|")} ` : " ")).join("|")}|`;

/** An op's scalar expression in plain notation, over its operands `x` or `a, b`. */
function expression(op: (typeof opKinds)[number]): string {
  const rule = ops[op].elementwise;
  if (!rule) return "";
  const names = rule.length === 1 ? ["x"] : ["a", "b", "c"];
  const expr = rule(...names.slice(0, rule.length).map((_, k) => input(k)));
  return `\`${renderJs(expr, (k) => names[k]).replaceAll("Math.", "")}\``;
}

/** The op table of `docs/guides/graph-ir.md`: one row per op from its `doc` and facts, in the order of the union, under group headings. */
export function opTable(): string {
  const columns = ["Op", "Inputs", "Attrs", "Output shape", "Gradient", "Tangent", "Elementwise", "Time-linear", "Batch"];
  const rows = [row(columns), `|${columns.map(() => "---").join("|")}|`];
  let group: string | undefined;
  for (const op of opKinds) {
    const def = ops[op];
    if (def.doc.group !== group) {
      group = def.doc.group;
      rows.push(row([`**${group}**`, ...columns.slice(1).map(() => "")]));
    }
    const { inputs, attrs = "", output, gradient, tangent } = def.doc;
    const facts = [expression(op), def.timeLinear ? "yes" : "", def.batch];
    rows.push(row([`\`${op}\``, inputs, attrs, output, gradient, tangent, ...facts]));
  }
  return rows.join("\n");
}

/** `markdown` with the text between the op-table markers replaced by {@link opTable}; throws when a marker is missing. */
export function withOpTable(markdown: string): string {
  const begin = markdown.indexOf(OP_TABLE_BEGIN);
  const end = markdown.indexOf(OP_TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`the op table's markers are missing: ${OP_TABLE_BEGIN} ... ${OP_TABLE_END}`);
  return `${markdown.slice(0, begin + OP_TABLE_BEGIN.length)}\n${opTable()}\n${markdown.slice(end)}`;
}
