import { ShapeError } from "../errors.js";
import { formatShape, sizeOf, type Dim } from "../shape.js";
import { defineOp, directionAxis, NoAttrs, nodeSchema } from "./define.js";
import { moveAxis } from "./tangent-layout.js";

/**
 * Rows of a table by integer ids (an embedding lookup): `table` `[V, ...s]`
 * with fixed sizes, `ids` `[n]` (usually `[B]`) holding integers in `[0, V)`,
 * output `[n, ...s]` with row i = `table[ids[i]]`.
 */
export const gather = defineOp(nodeSchema("gather", 2, NoAttrs), {
  shape: ([table, ids]) => {
    if (table.length < 1 || table.some((d) => d === "B")) {
      throw new ShapeError(`gather: the table must have fixed sizes [V, ...], got ${formatShape(table)}`);
    }
    if (ids.length !== 1) throw new ShapeError(`gather: ids must have shape [n] (one id per row), got ${formatShape(ids)}`);
    return [ids[0], ...table.slice(1)] as Dim[];
  },
  // scatter-add: dtable = oneHot(ids, V)ᵀ · g, each row of g added to the row its id picked
  vjp: ({ b, shape }, n, g) => {
    const [table, ids] = n.inputs;
    const t = shape(table) as readonly number[];
    const width = sizeOf(t.slice(1));
    const rows = b.reshape(g, [shape(ids)[0], width]);
    const summed = b.matmul(b.oneHot(ids, t[0]), rows, { transposeA: true });
    return [t.length === 2 ? summed : b.reshape(summed, [...t]), null];
  },
  // linear in the table: gather the table's tangent [D, V, ...s] with the directions carried along each row
  jvp: ({ b, shape, has, tangent, directions }, n) => {
    if (!has(0)) return null;
    const [table, ids] = n.inputs;
    const t = shape(table) as readonly number[];
    const rest = t.slice(1);
    const byRow = b.reshape(moveAxis(b, shape, tangent(0), 0, 1), [t[0], directions * sizeOf(rest)]);
    const picked = b.reshape(b.gather(byRow, ids), [shape(ids)[0], directions, ...rest]);
    return moveAxis(b, shape, picked, 1, directionAxis(shape(n.id)));
  },
  elementwise: undefined,
  // a sum of ids over time picks no sum of rows
  timeLinear: false,
  batch: "rowwise",
  doc: {
    group: "sources and plumbing",
    inputs: "table `[V, ...s]` (fixed sizes), ids `[n]` (integers in `[0, V)`)",
    output: "`[n, ...s]`, row i = `table[ids[i]]`",
    gradient: "table: `oneHot(ids, V)ᵀ·g` (scatter-add); ids: none",
    tangent: "`gather(ṫable, ids)`",
  },
});
