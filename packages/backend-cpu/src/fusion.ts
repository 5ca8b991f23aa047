import { elementwiseChains, elementwiseOf, renderJs, type Dtype, type FloatArray, type Node, type Shape } from "@unroll/ir";

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
 * Plans chains of elementwise nodes ({@link elementwiseChains}, the plan
 * every fusing backend shares) and compiles each into one loop. The loop
 * reads each outside operand element by element, once per row (a trailing
 * broadcast, one shape per chain) or as a scalar, so the chain rule admits
 * only operands it can read that way. Each loop keeps intermediates in
 * registers; for float32 each intermediate is rounded as a separate kernel
 * would, so results do not change.
 */
export function planFusion(nodes: readonly Node[], shapes: ReadonlyMap<string, Shape>, liveOut: ReadonlySet<string>, dtype: Dtype): ExecStep[] {
  const cache = new Map<string, FusedGroup["run"]>();
  const tileOf = new Map<readonly Node[], Shape | undefined>();
  // the one trailing-broadcast shape of a chain extended by `n`, or false when the loop cannot read an operand
  const tileWith = (members: readonly Node[], n: Node): Shape | undefined | false => {
    const inside = new Set(members.map((m) => m.id));
    const out = shapes.get(n.id)!;
    let tile = members.length > 0 ? tileOf.get(members) : undefined;
    for (const i of n.inputs) {
      if (inside.has(i)) continue;
      const a = accessOf(shapes.get(i)!, out);
      if (a === undefined) return false;
      if (a === "tile") {
        if (tile && !sameShape(tile, shapes.get(i)!)) return false;
        tile = shapes.get(i)!;
      }
    }
    return tile;
  };
  const steps = elementwiseChains(nodes, shapes, liveOut, (members, n) => {
    const tile = tileWith(members, n);
    if (tile === false) return false;
    // remembered for the chain the node joins (the executor's rule calls precede the push)
    tileOf.set(members, tile);
    return true;
  });
  return steps.map((step) => ("node" in step ? step : { group: compile(step.chain.members, tileOf.get(step.chain.members), shapes, dtype, cache) }));
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
