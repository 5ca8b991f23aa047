import { GraphBuilder } from "./builder.js";
import { GraphError } from "./errors.js";
import { identityMatrix } from "./ops/matmul.js";
import { directionAxis, tangentShape, type JvpContext } from "./ops/define.js";
import { opOf, type Node } from "./ops/index.js";
import { broadcastShapes, formatShape, shapesEqual, sizeOf, type Dim, type Shape } from "./shape.js";
import { pruneGraph } from "./autodiff.js";
import { checkGraph, type CheckedGraph } from "./validate.js";

/** Options of {@link jvpGraph} and {@link addTangents}. */
export interface JvpOptions {
  /** Number of tangent directions carried at once (D): the columns of a Jacobian computed in one pass. */
  readonly directions: number;
  /**
   * xs and params whose tangents enter from outside: a batched one as an xs
   * `<name>:<id>` of shape `[B, D, ...]`, a param as a param `<name>:<id>` of
   * shape `[D, ...]`.
   */
  readonly seeds?: readonly string[];
  /** Params whose tangent is the identity over their own entries (D must equal the param's size), never materialized where a rule can avoid it. */
  readonly identity?: readonly string[];
  /** Prefix of every tangent id, to keep several JVPs in one graph apart. Default `"tangent"`. */
  readonly name?: string;
}

/** The tangent values {@link addTangents} added to a builder, by the primal id they are the tangent of. */
export interface TangentValues {
  /** Tangent inputs, by seeded xs or param id. */
  readonly seeds: Readonly<Record<string, string>>;
  /** Carried tangents, by carry id: carries of the graph, zero at the first step. */
  readonly carry: Readonly<Record<string, string>>;
  /** The tangent of every value that has one. */
  readonly values: ReadonlyMap<string, string>;
}

/** A step graph that also carries tangents (forward mode); see {@link jvpGraph}. */
export interface JvpGraph {
  /** The graph: the forward step with its tangents, validated. */
  readonly checked: CheckedGraph;
  /** Tangent inputs, by seeded xs or param id. */
  readonly seeds: Readonly<Record<string, string>>;
  /** Carried tangents, by carry id. */
  readonly carry: Readonly<Record<string, string>>;
  /** Output sequences of tangents, by the ys id they are the tangent of. */
  readonly ys: Readonly<Record<string, string>>;
  /** The output sequence of the per-row loss's tangent `[B, D]`, if the loss has one. */
  readonly loss?: string;
}

/** The carries whose tangent can be nonzero: those whose update depends, at some step, on one of `roots`. */
export function tangentCarries(forward: CheckedGraph, roots: ReadonlySet<string>): Set<string> {
  const g = forward.graph;
  const carries = new Set<string>();
  for (;;) {
    const live = new Set([...roots, ...carries]);
    for (const n of forward.order) if (n.inputs.some((i) => live.has(i))) live.add(n.id);
    const next = g.carry.filter((c) => live.has(g.update[c.id])).map((c) => c.id);
    if (next.length === carries.size) return carries;
    next.forEach((c) => carries.add(c));
  }
}

/**
 * Adds the tangents of a step graph's values to a builder that already holds
 * the graph (`GraphBuilder.from`): seed inputs, a carried tangent per carry that
 * a seed reaches (zero at the first step; its update is declared), and each
 * node's tangent by its op's JVP rule. Several calls with different names add
 * independent groups of directions to one graph.
 */
export function addTangents(b: GraphBuilder, forward: CheckedGraph, options: JvpOptions): TangentValues {
  const g = forward.graph;
  const D = options.directions;
  const name = options.name ?? "tangent";
  if (!Number.isSafeInteger(D) || D < 1) throw new GraphError("", `forward mode needs a positive whole number of directions, got ${D}`);
  const identity = new Set(options.identity ?? []);
  const params = new Map(g.params.map((p) => [p.id, p.shape] as const));
  for (const id of identity) {
    const shape = params.get(id);
    if (!shape) throw new GraphError("", `identity tangent for "${id}", which is not a param`);
    if (sizeOf(shape) !== D) throw new GraphError("", `identity tangent of param "${id}" ${formatShape(shape)} needs ${sizeOf(shape)} directions, got ${D}`);
  }
  const tangents = new Map<string, string>();
  const seeds: Record<string, string> = {};
  for (const id of options.seeds ?? []) {
    const shape = forward.shapes.get(id);
    const isParam = params.has(id);
    if (!shape || !(isParam || g.xs.some((x) => x.id === id))) throw new GraphError("", `cannot seed the tangent of "${id}": not an xs or a param`);
    const t = tangentShape(shape, D);
    seeds[id] = isParam ? b.param(`${name}:${id}`, t as number[]) : b.input(`${name}:${id}`, [...t]);
    tangents.set(id, seeds[id]);
  }
  const carry: Record<string, string> = {};
  for (const id of tangentCarries(forward, new Set([...tangents.keys(), ...identity]))) {
    const c = g.carry.find((d) => d.id === id)!;
    carry[id] = b.carry(`${name}:${id}`, [...tangentShape(c.shape, D)]);
    tangents.set(id, carry[id]);
  }
  const materialized = new Map<string, string>();
  const tangentOf = (id: string): string => {
    const t = tangents.get(id);
    if (t !== undefined) return t;
    if (!identity.has(id)) throw new GraphError("", `forward mode: a rule asked for the tangent of "${id}", which has none`);
    let m = materialized.get(id);
    if (m === undefined) {
      m = b.reshape(identityMatrix(b, D), [D, ...params.get(id)!]);
      materialized.set(id, m);
    }
    return m;
  };
  for (const node of forward.order) {
    if (!node.inputs.some((i) => tangents.has(i) || identity.has(i))) continue;
    const ctx = nodeTangentContext(b, node, forward.shapes.get(node.id)!, D, {
      has: (id) => tangents.has(id) || identity.has(id),
      tangent: tangentOf,
      isIdentity: (id) => identity.has(id),
    });
    const t = opOf(node).jvp(ctx, node as never);
    if (t !== null) tangents.set(node.id, fullTangent(b, node, forward.shapes.get(node.id)!, D, t));
  }
  for (const [id, c] of Object.entries(carry)) {
    const t = tangents.get(g.update[id]);
    // an update that no seed reached at this step: its tangent is zero
    b.update(c, t ?? b.mul(c, b.scalar(0)));
  }
  return { seeds, carry, values: tangents };
}

/** Where a transform keeps its tangents: what {@link nodeTangentContext} reads them from. */
export interface TangentSource {
  /** Whether the value has a tangent. */
  has(id: string): boolean;
  /** Its tangent (materializing an identity seed if need be). */
  tangent(id: string): string;
  /** Whether the value is a param seeded with the identity. */
  isIdentity(id: string): boolean;
}

function fail(node: Node, why: string): never {
  throw new GraphError("", `forward mode through node "${node.id}" (${node.op}): ${why}`);
}

/** The {@link JvpContext} of one node: its inputs' tangents from `source`, aligned and lifted against its output `out`. */
export function nodeTangentContext(b: GraphBuilder, node: Node, out: Shape, D: number, source: TangentSource): JvpContext {
  const lift = (id: string, like: Shape = out): string => {
    const s = b.shape(id);
    return directionAxis(like) === 1 && s.length === like.length ? b.reshape(id, [s[0], 1, ...s.slice(1)]) : id;
  };
  return {
    b,
    shape: (id) => b.shape(id),
    directions: D,
    has: (k) => source.has(node.inputs[k]),
    tangent: (k) => source.tangent(node.inputs[k]),
    isIdentity: (k) => source.isIdentity(node.inputs[k]),
    lift,
    along: (k) => {
      const from = b.shape(node.inputs[k]);
      const t = source.tangent(node.inputs[k]);
      if (from.length === out.length && directionAxis(from) === directionAxis(out)) return t;
      if (directionAxis(from) === 1) return fail(node, `input ${formatShape(from)} broadcasts its batch axis into ${formatShape(out)}`);
      const padded: Dim[] = [...Array<Dim>(out.length - from.length).fill(1), ...from];
      if (directionAxis(out) === 1 && padded[0] !== 1) return fail(node, `cannot align ${formatShape(from)} with ${formatShape(out)}`);
      const target = tangentShape(directionAxis(out) === 1 ? ["B", ...padded.slice(1)] : padded, D).map((d, i) => (i === 0 && d === "B" ? 1 : d));
      return shapesEqual(target, b.shape(t)) ? t : b.reshape(t, target);
    },
  };
}

/** A rule's tangent `t` of a node with output `out`, expanded to the full tangent shape when the rule returned a broadcastable one (a bias's, say). */
export function fullTangent(b: GraphBuilder, node: Node, out: Shape, D: number, t: string): string {
  const want = tangentShape(out, D);
  const got = b.shape(t);
  if (shapesEqual(got, want)) return t;
  const joined = broadcastShapes(got, want);
  if (!joined || !shapesEqual(joined, want)) fail(node, `its rule gave a tangent of shape ${formatShape(got)} for ${formatShape(want)}`);
  const ones = b.broadcastTo(b.scalar(1), node.id);
  return b.mul(t, directionAxis(out) === 1 ? b.reshape(ones, [out[0], 1, ...out.slice(1)]) : ones);
}

/**
 * Forward-mode differentiation of one step as a transform of the IR: the step
 * graph that also computes, for D directions at once, the tangent of every
 * value (its directional derivative along each direction). Tangents of the
 * seeded inputs come in as inputs, carries carry their tangents from step to
 * step (so a scan of this graph differentiates the whole scan), and the
 * tangents of the ys and of the loss are new output sequences. Each op's rule
 * (`OpDef.jvp`) emits IR nodes, so every backend runs it with its forward kernels.
 *
 * ```
 * ẏ_t = J_x f · ẋ_t + J_θ f · θ̇ + J_c f · ċ_{t-1};   ċ_t = (same for the update)
 * ```
 */
export function jvpGraph(forward: CheckedGraph, options: JvpOptions): JvpGraph {
  const g = forward.graph;
  const name = options.name ?? "tangent";
  const b = GraphBuilder.from(forward, "j");
  const t = addTangents(b, forward, options);
  const ys: Record<string, string> = {};
  for (const y of g.ys) {
    const v = t.values.get(y.value);
    if (v === undefined) continue;
    ys[y.id] = `${name}:${y.id}`;
    b.output(ys[y.id], v);
  }
  let loss: string | undefined;
  const lt = g.loss === undefined ? undefined : t.values.get(g.loss);
  if (lt !== undefined) {
    loss = `${name}:loss`;
    b.output(loss, lt);
  }
  const checked = checkGraph(pruneGraph(b.toGraph(g.name ? `${g.name} (forward mode)` : "forward mode")));
  return { checked, seeds: t.seeds, carry: t.carry, ys, ...(loss ? { loss } : {}) };
}
