import { GraphBuilder } from "./builder.js";
import { GraphError } from "./errors.js";
import type { StepGraph } from "./graph.js";
import { opOf, type Node } from "./ops/index.js";
import { formatShape, shapesEqual } from "./shape.js";
import { checkGraph, type CheckedGraph } from "./validate.js";

/**
 * The backward step of a step graph, itself a step graph (no carries): given a
 * step's inputs, its previous carries and the gradients arriving at its outputs,
 * it yields the gradients of its params, previous carries and xs. It recomputes
 * the step's forward values it needs, so the scheduler stores only carries.
 */
export interface VjpGraph {
  /** The backward graph, validated. Its xs are the forward xs, the carries (same ids) and the seeds. */
  readonly checked: CheckedGraph;
  /** Seed xs ids: gradient arriving at each listed ys, at each next carry, and at the per-row loss. */
  readonly seeds: VjpSeeds;
  /** Gradient value ids, only for inputs that the step's outputs depend on. */
  readonly grads: VjpGrads;
}

/** The seed inputs of a backward graph, by what they are the gradient of. */
export interface VjpSeeds {
  /** Gradient arriving at each seeded output sequence, by ys id. */
  readonly ys: Readonly<Record<string, string>>;
  /** Gradient arriving at each next carry, by state name. */
  readonly carry: Readonly<Record<string, string>>;
  /** Gradient arriving at the per-row loss `[B]`. */
  readonly loss?: string;
}

/** The gradient values of a backward graph, by what they are the gradient with respect to. */
export interface VjpGrads {
  /** Per parameter (this step's contribution). */
  readonly params: Readonly<Record<string, string>>;
  /** Per xs. */
  readonly xs: Readonly<Record<string, string>>;
  /** Per previous carry. */
  readonly carry: Readonly<Record<string, string>>;
  /**
   * Per state, the gradient of its update: `∂L/∂h_t` for the state `h_t` this
   * step leaves, the future's gradient plus this step's own uses (only the
   * states of {@link VjpOptions.stateDeltas}; empty without it).
   */
  readonly updates: Readonly<Record<string, string>>;
}

/** Options of {@link vjpGraph}. */
export interface VjpOptions {
  /** Output sequences (ys ids) whose gradient is seeded; e.g. those that feed a later stage. */
  readonly ysSeeds?: readonly string[];
  /** Inputs (xs) whose gradient is not wanted, e.g. a mask. */
  readonly constants?: readonly string[];
  /**
   * Also output each state's delta `∂L/∂h_t` ({@link VjpGrads.updates}), to
   * measure gradient flow through time: by state name, the value holding the
   * state the step leaves (its update; for a masked graph the update before
   * masking, whose gradient is zero past a row's end).
   */
  readonly stateDeltas?: Readonly<Record<string, string>>;
}

/** Keeps only the nodes that the graph's ys, updates and loss depend on. */
export function pruneGraph(graph: StepGraph): StepGraph {
  const byId = new Map(graph.nodes.map((n) => [n.id, n] as const));
  const live = new Set<string>();
  const stack = [...graph.ys.map((y) => y.value), ...Object.values(graph.update), ...(graph.loss ? [graph.loss] : [])];
  while (stack.length) {
    const id = stack.pop()!;
    if (live.has(id)) continue;
    live.add(id);
    byId.get(id)?.inputs.forEach((i) => stack.push(i));
  }
  return { ...graph, nodes: graph.nodes.filter((n) => live.has(n.id)) };
}

/**
 * Adds to `b` (which holds the forward graph's values) the gradient of every
 * value that the seeds reach, running each op's VJP rule over the nodes in
 * reverse order. `seeds` lists (value, seed id, what it is for messages); a
 * value seeded twice gets the sum. Returns the gradient id of each value.
 */
export function backprop(b: GraphBuilder, forward: CheckedGraph, seeds: readonly (readonly [string, string, string])[]): Map<string, string> {
  const grads = new Map<string, string>();
  const accumulate = (value: string, grad: string, from: string): void => {
    if (!shapesEqual(b.shape(value), b.shape(grad))) {
      throw new GraphError("", `gradient rule of ${from} gave shape ${formatShape(b.shape(grad))} for "${value}" of shape ${formatShape(b.shape(value))}`);
    }
    const prev = grads.get(value);
    grads.set(value, prev === undefined ? grad : b.add(prev, grad));
  };
  for (const [value, seed, from] of seeds) accumulate(value, seed, from);
  const ctx = { b, shape: (id: string) => b.shape(id) };
  for (let i = forward.order.length - 1; i >= 0; i--) {
    const node: Node = forward.order[i];
    const grad = grads.get(node.id);
    if (grad === undefined) continue;
    const inputGrads = opOf(node).vjp(ctx, node as never, grad);
    node.inputs.forEach((input, k) => {
      const gi = inputGrads[k];
      if (gi !== null && gi !== undefined) accumulate(input, gi, `node "${node.id}" (${node.op})`);
    });
  }
  return grads;
}

/**
 * Reverse-mode differentiation of one step as a transform of the IR. Each op's
 * rule (`OpDef.vjp`) emits IR nodes, so any backend that runs forward kernels
 * can run the backward pass too.
 */
export function vjpGraph(forward: CheckedGraph, options: VjpOptions = {}): VjpGraph {
  const g = forward.graph;
  const b = GraphBuilder.from(
    checkGraph({ ...g, carry: [], update: {}, ys: [], loss: undefined, xs: [...g.xs, ...g.carry.map(({ id, shape }) => ({ id, shape }))] }),
    "d",
  );
  const seeds = { ys: {} as Record<string, string>, carry: {} as Record<string, string>, loss: undefined as string | undefined };
  const seeded: (readonly [string, string, string])[] = [];
  for (const id of options.ysSeeds ?? []) {
    const y = g.ys.find((e) => e.id === id);
    if (!y) throw new GraphError("", `cannot seed the gradient of unknown output "${id}"`);
    seeds.ys[id] = b.input(`seed:ys:${id}`, [...forward.shapes.get(y.value)!]);
    seeded.push([y.value, seeds.ys[id], `output ${id}`]);
  }
  for (const c of g.carry) {
    seeds.carry[c.id] = b.input(`seed:carry:${c.id}`, [...c.shape]);
    seeded.push([g.update[c.id], seeds.carry[c.id], `carry ${c.id}`]);
  }
  if (g.loss !== undefined) {
    seeds.loss = b.input("seed:loss", ["B"]);
    seeded.push([g.loss, seeds.loss, "loss"]);
  }
  const grads = backprop(b, forward, seeded);
  const out = {
    params: {} as Record<string, string>,
    xs: {} as Record<string, string>,
    carry: {} as Record<string, string>,
    updates: {} as Record<string, string>,
  };
  const expose = (kind: "params" | "xs" | "carry" | "updates", id: string, of = id): void => {
    const grad = grads.get(of);
    if (grad === undefined) return;
    const name = `grad:${kind}:${id}`;
    b.output(name, grad);
    out[kind][id] = grad;
  };
  g.params.forEach((p) => expose("params", p.id));
  g.xs.forEach((x) => {
    if (!options.constants?.includes(x.id)) expose("xs", x.id);
  });
  g.carry.forEach((c) => expose("carry", c.id));
  for (const [state, value] of Object.entries(options.stateDeltas ?? {})) expose("updates", state, value);
  const checked = checkGraph(pruneGraph(b.toGraph(g.name ? `${g.name} (backward)` : "backward")));
  return { checked, seeds: seeds.loss === undefined ? { ys: seeds.ys, carry: seeds.carry } : (seeds as VjpGraph["seeds"]), grads: out };
}
