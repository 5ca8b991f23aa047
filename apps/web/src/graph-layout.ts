import type { CheckedGraph, Node } from "@unroll/ir";

/** What a box of the picture stands for. */
export type BoxKind = "xs" | "param" | "carry" | "node";

/** One value of the step graph, placed in a column (its depth) and a row. */
export interface LayoutBox {
  /** The value's id. */
  readonly id: string;
  readonly kind: BoxKind;
  /** The op that computes it (nodes only). */
  readonly op?: string;
  /** Its attributes in short, when they say something (a slice's range, a constant's value). */
  readonly detail?: string;
  /** Roles of the value: `"output"` (a ys value), `"loss"`, `"update"` (becomes a carry). */
  readonly roles: readonly ("output" | "loss" | "update")[];
  readonly column: number;
  readonly row: number;
}

/** An edge of the picture: an input of a node, or a carry's update (back to the next step). */
export interface LayoutEdge {
  readonly from: string;
  readonly to: string;
  /** True for `update[carry]`: the value that becomes the carry at step t+1. */
  readonly update: boolean;
}

/** The step graph laid out by topological depth, as data. */
export interface GraphLayout {
  readonly boxes: readonly LayoutBox[];
  readonly edges: readonly LayoutEdge[];
  readonly columns: number;
  readonly rows: number;
}

/**
 * Lays a step graph out left to right. The carries and the first xs (what
 * enters a step) sit in column 0; a node sits one column right of its deepest
 * input; parameters, later xs and input-less nodes (constants) sit just left
 * of their first consumer. In each column the boxes are ordered by the mean
 * row of their neighbours (sweeps of the barycenter heuristic), which keeps
 * most edges short and straight.
 */
export function layoutGraph(checked: CheckedGraph): GraphLayout {
  const g = checked.graph;
  const kinds = new Map<string, BoxKind>();
  for (const x of g.xs) kinds.set(x.id, "xs");
  for (const p of g.params) kinds.set(p.id, "param");
  for (const c of g.carry) kinds.set(c.id, "carry");
  for (const n of checked.order) kinds.set(n.id, "node");
  const ops = new Map(checked.order.map((n) => [n.id, n.op] as const));
  const details = new Map(
    checked.order.flatMap((n) => {
      const d = detailOf(n);
      return d === undefined ? [] : [[n.id, d] as const];
    }),
  );
  const inputs = new Map(checked.order.map((n) => [n.id, n.inputs] as const));
  const consumers = new Map<string, string[]>();
  for (const n of checked.order) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n.id]);

  // columns: carries and the first xs at 0, nodes by depth, late sources just before their first consumer
  const column = new Map<string, number>();
  const early = new Set([...g.carry.map((c) => c.id), ...g.xs.slice(0, 1).map((x) => x.id)]);
  for (const id of early) column.set(id, 0);
  for (const n of checked.order) {
    const placed = n.inputs.filter((i) => column.has(i)).map((i) => column.get(i)!);
    if (placed.length > 0) column.set(n.id, 1 + Math.max(...placed));
  }
  const late = [...kinds.keys()].filter((id) => !column.has(id));
  // a node without placed inputs (a constant, or one fed by late sources only) goes left of its first consumer;
  // resolve from the deepest so that chains of late values stack leftwards
  for (let changed = true; changed;) {
    changed = false;
    for (const id of late) {
      if (column.has(id)) continue;
      const cs = (consumers.get(id) ?? []).filter((c) => column.has(c)).map((c) => column.get(c)!);
      if (cs.length === 0 && (consumers.get(id) ?? []).length > 0) continue;
      column.set(id, Math.max(0, (cs.length > 0 ? Math.min(...cs) : 1) - 1));
      changed = true;
    }
  }
  for (const id of late) if (!column.has(id)) column.set(id, 0);

  const columns = 1 + Math.max(...column.values());
  const byColumn: string[][] = Array.from({ length: columns }, () => []);
  for (const id of kinds.keys()) byColumn[column.get(id)!].push(id);
  const row = new Map<string, number>();
  byColumn.forEach((ids) => ids.forEach((id, r) => row.set(id, r)));
  // barycenter sweeps: left to right by the inputs' rows, then right to left by the consumers' rows
  const sweep = (ids: string[], by: (id: string) => readonly string[]): void => {
    const key = new Map(
      ids.map((id) => {
        const rs = by(id)
          .filter((n) => row.has(n) && column.get(n) !== column.get(id))
          .map((n) => row.get(n)!);
        return [id, rs.length > 0 ? rs.reduce((a, b) => a + b, 0) / rs.length : row.get(id)!] as const;
      }),
    );
    ids.sort((a, b) => key.get(a)! - key.get(b)!);
    ids.forEach((id, r) => row.set(id, r));
  };
  for (let round = 0; round < 4; round++) {
    for (const ids of byColumn) sweep(ids, (id) => inputs.get(id) ?? []);
    for (const ids of [...byColumn].reverse()) sweep(ids, (id) => consumers.get(id) ?? []);
  }

  const outputs = new Set(g.ys.map((y) => y.value));
  const updates = new Set(Object.values(g.update));
  const boxes: LayoutBox[] = [...kinds].map(([id, kind]) => ({
    id,
    kind,
    ...(ops.has(id) ? { op: ops.get(id)! } : {}),
    ...(details.has(id) ? { detail: details.get(id)! } : {}),
    roles: [...(outputs.has(id) ? ["output" as const] : []), ...(g.loss === id ? ["loss" as const] : []), ...(updates.has(id) ? ["update" as const] : [])],
    column: column.get(id)!,
    row: row.get(id)!,
  }));
  const edges: LayoutEdge[] = [
    ...checked.order.flatMap((n) => n.inputs.map((i) => ({ from: i, to: n.id, update: false }))),
    ...Object.entries(g.update).map(([carry, value]) => ({ from: value, to: carry, update: true })),
  ];
  return { boxes, edges, columns, rows: Math.max(...byColumn.map((ids) => ids.length)) };
}

/** A short summary of the attributes that tell boxes of one op apart. */
function detailOf(n: Node): string | undefined {
  if (n.op === "slice") return `[${n.attrs.start}:${n.attrs.end}]`;
  if (n.op === "constant" && n.attrs.value !== undefined) return String(n.attrs.value);
  return undefined;
}
