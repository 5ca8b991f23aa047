import type { Node } from "./ops/index.js";
import { ops } from "./ops/index.js";
import type { Shape } from "./shape.js";

/** A chain of elementwise nodes that a backend computes as one kernel, writing only its last value. */
export interface ElementwiseChain {
  /** Member nodes, in order; the last one's value is the chain's output. */
  readonly members: readonly Node[];
  /** Values read from outside the chain, in the order of first use. */
  readonly inputs: readonly string[];
}

/** One unit of execution: a node on its own, or a chain of two or more elementwise nodes. */
export type ChainStep = ChainNode | ChainOfNodes;

/** A {@link ChainStep} that is one node on its own. */
export interface ChainNode {
  /** The node. */
  readonly node: Node;
}

/** A {@link ChainStep} that is a chain of elementwise nodes. */
export interface ChainOfNodes {
  /** The chain. */
  readonly chain: ElementwiseChain;
}

/**
 * Whether `candidate` may extend a chain whose members so far are `members`
 * (empty: whether it may start one): the backend's limits, such as which
 * broadcasts its generated loop reads or how many operands a kernel takes.
 * `members` is the chain's own array, which `candidate` joins when the rule
 * allows it, so a rule may key what it learns of a chain by it.
 */
export type ChainRule = (members: readonly Node[], candidate: Node) => boolean;

const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Groups chains of elementwise nodes (ops with an `elementwise` expression:
 * bias + activation, gate arithmetic) for fusion, the plan every fusing
 * backend shares: a node extends the chain of an input when that input is
 * the chain's last value, has no other reader, is not needed outside
 * `nodes` (`live`), has the node's own shape, and `rule` allows it. Each
 * chain is listed where its last member stood, when every input of every
 * member exists. A backend renders each chain from its members' expressions
 * (JavaScript loops on the CPU, WGSL on WebGPU).
 */
export function elementwiseChains(nodes: readonly Node[], shapes: ReadonlyMap<string, Shape>, live: ReadonlySet<string>, rule: ChainRule): ChainStep[] {
  const readers = new Map<string, number>();
  for (const n of nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  const chainOf = new Map<string, Node[]>();
  const chains: Node[][] = [];
  for (const n of nodes) {
    let members: Node[] | undefined;
    if (ops[n.op].elementwise !== undefined) {
      const out = shapes.get(n.id)!;
      for (const i of n.inputs) {
        const c = chainOf.get(i);
        if (c && c[c.length - 1].id === i && readers.get(i) === 1 && !live.has(i) && sameShape(shapes.get(i)!, out)) {
          members = c;
          break;
        }
      }
      if (members && !rule(members, n)) members = undefined;
      if (!members) {
        const fresh: Node[] = [];
        if (rule(fresh, n)) chains.push((members = fresh));
      }
    }
    if (members) {
      members.push(n);
      chainOf.set(n.id, members);
    } else {
      chains.push([n]);
    }
  }
  const last = new Map(chains.map((c) => [c[c.length - 1].id, c] as const));
  const steps: ChainStep[] = [];
  for (const n of nodes) {
    const c = last.get(n.id);
    if (!c) continue;
    steps.push(c.length === 1 ? { node: n } : { chain: { members: c, inputs: chainInputs(c) } });
  }
  return steps;
}

/** The values a chain of nodes reads from outside itself, in order of first use. */
export function chainInputs(members: readonly Node[]): string[] {
  const inside = new Set(members.map((m) => m.id));
  const inputs: string[] = [];
  for (const m of members) for (const i of m.inputs) if (!inside.has(i) && !inputs.includes(i)) inputs.push(i);
  return inputs;
}
