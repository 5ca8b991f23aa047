import { elementwiseOf, operandAccess, renderJs, tiledChains, type Dtype, type FloatArray, type Node, type Shape } from "@unroll/ir";

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

/**
 * Plans chains of elementwise nodes ({@link tiledChains}: each outside
 * operand read element by element, once per row of a trailing broadcast,
 * or as a scalar) and compiles each into one loop. Each loop keeps intermediates in
 * registers; for float32 each intermediate is rounded as a separate kernel
 * would, so results do not change.
 */
export function planFusion(nodes: readonly Node[], shapes: ReadonlyMap<string, Shape>, liveOut: ReadonlySet<string>, dtype: Dtype): ExecStep[] {
  const cache = new Map<string, FusedGroup["run"]>();
  const { steps, tileOf } = tiledChains(nodes, shapes, liveOut);
  return steps.map((step) => ("node" in step ? step : { group: compile(step.chain.members, tileOf(step.chain.members), shapes, dtype, cache) }));
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
    const access = operandAccess(shapes.get(id)!, out);
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
