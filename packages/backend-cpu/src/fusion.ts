import { elementwiseOf, ops, renderJs, type Dtype, type FloatArray, type Node, type Shape } from "@unroll/ir";

/** How an operand outside the group is read: element by element, once per row (a trailing broadcast), or a scalar. */
type Access = "full" | "tile" | "scalar";

/** A chain of elementwise nodes computed in one loop, writing only its last value. */
export interface FusedGroup {
  /** Member nodes, in order; the last one's value is the group's output. */
  readonly members: readonly Node[];
  /** Values read from outside the group, in the order the loop takes them. */
  readonly inputs: readonly string[];
  /** The compiled loop: `(inputs, out, n, period)`. */
  readonly run: (inputs: readonly FloatArray[], out: FloatArray, n: number, period: number) => void;
  /** Symbolic shape of the tile operands' period (their shape), if any. */
  readonly tileShape: Shape | undefined;
}

/** One unit of execution: a single node through its kernel, or a fused group. */
export type ExecStep = { readonly node: Node } | { readonly group: FusedGroup };

const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

function accessOf(operand: Shape, out: Shape): Access | undefined {
  if (sameShape(operand, out)) return "full";
  if (operand.every((d) => d === 1)) return "scalar";
  const off = out.length - operand.length;
  if (off > 0 && !operand.includes("B") && operand.every((d, i) => d === out[off + i])) return "tile";
  return undefined;
}

/**
 * Groups chains of elementwise nodes (bias + activation, gate arithmetic) into
 * single loops: a node joins the group of an input when that input has no other
 * reader and is not needed outside these nodes (`liveOut`). Each group is
 * compiled once to a loop that keeps intermediates in registers; for float32 each
 * intermediate is rounded as a separate kernel would, so results do not change.
 */
export function planFusion(nodes: readonly Node[], shapes: ReadonlyMap<string, Shape>, liveOut: ReadonlySet<string>, dtype: Dtype): ExecStep[] {
  const readers = new Map<string, number>();
  for (const n of nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  interface Open {
    members: Node[];
    tile: Shape | undefined;
  }
  const groupOf = new Map<string, Open>();
  const open: Open[] = [];
  for (const n of nodes) {
    const fusable = ops[n.op].elementwise !== undefined;
    const out = shapes.get(n.id)!;
    let joined: Open | undefined;
    if (fusable) {
      for (const i of n.inputs) {
        const g = groupOf.get(i);
        if (g && g.members[g.members.length - 1].id === i && readers.get(i) === 1 && !liveOut.has(i) && sameShape(shapes.get(i)!, out)) {
          joined = g;
          break;
        }
      }
      let tile = joined?.tile;
      const ok = n.inputs.every((i) => {
        if (joined && joined.members[joined.members.length - 1].id === i) return true;
        const a = accessOf(shapes.get(i)!, out);
        if (a === "tile") {
          if (tile && !sameShape(tile, shapes.get(i)!)) return false;
          tile = shapes.get(i)!;
        }
        return a !== undefined;
      });
      if (!ok) joined = undefined;
      else if (joined) joined.tile = tile;
      if (!joined && ok) {
        joined = { members: [], tile };
        open.push(joined);
      }
    }
    if (joined) {
      joined.members.push(n);
      groupOf.set(n.id, joined);
    } else {
      open.push({ members: [n], tile: undefined });
    }
  }
  // a group runs where its last member stood: by then every input of every member exists
  const cache = new Map<string, FusedGroup["run"]>();
  const last = new Map(open.map((g) => [g.members[g.members.length - 1].id, g] as const));
  const steps: ExecStep[] = [];
  for (const n of nodes) {
    const g = last.get(n.id);
    if (g) steps.push(g.members.length === 1 ? { node: n } : { group: compile(g.members, g.tile, shapes, dtype, cache) });
  }
  return steps;
}

function compile(
  members: readonly Node[],
  tile: Shape | undefined,
  shapes: ReadonlyMap<string, Shape>,
  dtype: Dtype,
  cache: Map<string, FusedGroup["run"]>,
): FusedGroup {
  const inside = new Map(members.map((m, k) => [m.id, `v${k}`] as const));
  const inputs: string[] = [];
  const out = shapes.get(members[members.length - 1].id)!;
  const operand = (id: string): string => {
    const local = inside.get(id);
    if (local) return local;
    let k = inputs.indexOf(id);
    if (k < 0) k = inputs.push(id) - 1;
    const access = accessOf(shapes.get(id)!, out);
    return access === "full" ? `e${k}[i]` : access === "tile" ? `e${k}[j]` : `e${k}[0]`;
  };
  const round = dtype === "float32" ? (x: string) => `Math.fround(${x})` : (x: string) => x;
  const lines = members.map((m, k) => {
    const expr = renderJs(elementwiseOf(m)!, (j) => operand(m.inputs[j]));
    return `const v${k} = ${round(expr)};`;
  });
  const body = [
    ...inputs.map((_, k) => `const e${k} = ins[${k}];`),
    "for (let r = 0; r < n; r += p) {",
    "  for (let j = 0; j < p; j++) {",
    "    const i = r + j;",
    ...lines.map((l) => `    ${l}`),
    `    o[i] = v${members.length - 1};`,
    "  }",
    "}",
  ].join("\n");
  let run = cache.get(body);
  if (!run) {
    run = new Function("ins", "o", "n", "p", body) as FusedGroup["run"];
    cache.set(body, run);
  }
  return { members, inputs, run, tileShape: tile };
}
