import { elementwiseChains, type ChainRule, type ChainStep } from "./elementwise-chains.js";
import type { Node } from "./ops/index.js";
import type { Shape } from "./shape.js";

/**
 * How a fused loop over a chain's output reads an operand from outside the
 * chain: at the output's own index (`full`), at the index modulo the
 * operand's size (`tile`: a trailing broadcast such as a bias `[H]` over
 * `[B, H]`), or its one element (`scalar`).
 */
export type OperandAccess = "full" | "tile" | "scalar";

const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** How a loop over `out` reads `operand`, or undefined when it cannot by {@link OperandAccess}. */
export function operandAccess(operand: Shape, out: Shape): OperandAccess | undefined {
  if (sameShape(operand, out)) return "full";
  if (operand.every((d) => d === 1)) return "scalar";
  const off = out.length - operand.length;
  if (off > 0 && !operand.includes("B") && operand.every((d, i) => d === out[off + i])) return "tile";
  return undefined;
}

/** Chains whose operands a loop reads by {@link OperandAccess}, and each chain's tile shape. */
export interface TiledChains {
  /** The plan, as {@link elementwiseChains} gives it. */
  readonly steps: ChainStep[];
  /** The one trailing-broadcast shape a chain's `tile` operands have (they repeat every `size` of it elements), if it has any. */
  readonly tileOf: (members: readonly Node[]) => Shape | undefined;
}

/**
 * The fusion plan of backends whose loops read operands by
 * {@link OperandAccess} (the CPU's compiled loops, the WebAssembly device's
 * SIMD kernels): {@link elementwiseChains} with a rule that admits a node
 * when the loop can read each of its outside operands, with one tile shape
 * per chain, and `limit` (the backend's own bounds, such as a kernel's
 * operand count) allows it.
 */
export function tiledChains(nodes: readonly Node[], shapes: ReadonlyMap<string, Shape>, live: ReadonlySet<string>, limit: ChainRule = () => true): TiledChains {
  const tiles = new Map<readonly Node[], Shape | undefined>();
  // the one tile shape of a chain extended by `n`, or false when the loop cannot read an operand
  const tileWith = (members: readonly Node[], n: Node): Shape | undefined | false => {
    const inside = new Set(members.map((m) => m.id));
    const out = shapes.get(n.id)!;
    let tile = members.length > 0 ? tiles.get(members) : undefined;
    for (const i of n.inputs) {
      if (inside.has(i)) continue;
      const a = operandAccess(shapes.get(i)!, out);
      if (a === undefined) return false;
      if (a === "tile") {
        if (tile && !sameShape(tile, shapes.get(i)!)) return false;
        tile = shapes.get(i)!;
      }
    }
    return tile;
  };
  const steps = elementwiseChains(nodes, shapes, live, (members, n) => {
    const tile = tileWith(members, n);
    if (tile === false || !limit(members, n)) return false;
    // remembered for the chain the node joins (the rule's calls precede the push)
    tiles.set(members, tile);
    return true;
  });
  return { steps, tileOf: (members) => tiles.get(members) };
}
