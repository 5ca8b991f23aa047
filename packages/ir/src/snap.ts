import { backprop, pruneGraph } from "./autodiff.js";
import { GraphBuilder } from "./builder.js";
import { GraphError } from "./errors.js";
import { fullTangent, nodeTangentContext, tangentCarries } from "./jvp.js";
import { opOf, type Node, type NodeOf } from "./ops/index.js";
import { formatShape } from "./shape.js";
import { checkGraph, type CheckedGraph } from "./validate.js";

/** A step graph that carries SnAp-1's sparse sensitivities; see {@link snapGraph}. */
export interface SnapGraph {
  /** The graph, validated. */
  readonly checked: CheckedGraph;
  /** The xs `[B]` that weighs each row's loss at this step. */
  readonly seed: string;
  /** The state width n that every state shares. */
  readonly width: number;
  /**
   * The carried sensitivities, `[B, size(param) / n, n]`, by param and then by
   * state: carry ids. Entry `[b, c, u]` is `∂state[b, u]/∂param[e]` for the one
   * entry e of color c (row r and column block g: e = (r, g·n + u)) that feeds unit u.
   */
  readonly sensitivities: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** This step's contribution to each param's gradient (a ys of the param's shape). */
  readonly grads: Readonly<Record<string, string>>;
}

/** Ops that map column c of each input to column c of the output (an elementwise op), so units stay in place. */
const columnwise = (node: Node): boolean => opOf(node).elementwise !== undefined || node.op === "identity";

/**
 * SnAp-1 (Menick et al., "Practical Real Time Recurrent Learning with a Sparse
 * Approximation", ICLR 2021) as a transform of the step graph: RTRL that keeps,
 * of each state's sensitivity to a param, only the entries one step can fill.
 * Entry (r, j) of a weight `[k, p]` (or j of a bias `[p]`) feeds unit `j mod n`
 * of the states `[B, n]` (the gates of an LSTM or GRU are blocks of n columns),
 * so the sensitivity keeps one number per parameter and row, `O(B·P)` memory,
 * and its update costs about a forward step:
 *
 * ```
 * M_t = diag(J_t) ⊙ M_{t-1} + M̄_t           (only unit j's entry of each column j)
 * g  += ∂loss_t/∂θ|immediate + ∂loss_t/∂state_{t-1} · M_{t-1}
 * ```
 *
 * `diag(J_t)` and `M̄_t` come from forward mode with the directions grouped by
 * color (one per row and gate block of a weight), where a product `state·W`
 * keeps only each unit's own term. The gradient of each step is exact given
 * `M_{t-1}` (a reverse pass through the step alone). It equals exact RTRL when
 * every state unit depends only on its own previous value (a diagonal
 * recurrence), and costs about a forward step otherwise.
 *
 * Supported: states `[B, n]` of one width n; along the path from a param to
 * the states, elementwise ops, slices, pads and concatenations of n-column
 * blocks, and products `a·W` (a weight `[k, p]` with p a multiple of n, used
 * untransposed, or a state-derived `a` against any weight). The built-in rnn,
 * lstm and gru (with `resetAfter`, the default) cells qualify, where this is
 * SnAp-1's pattern exactly; so do their stacks of one width, where a lower
 * layer's parameters keep only the same-index units of the layers above (within
 * one step they reach every unit there, which SnAp-1 would keep). A gru with
 * the reset gate before the product slices its weight, which is refused with
 * the node named.
 */
export function snapGraph(forward: CheckedGraph): SnapGraph {
  const g = forward.graph;
  if (g.loss === undefined) throw new GraphError("", "SnAp-1 needs a loss: the step graph has none");
  const widths = new Set(g.carry.map((c) => (c.shape.length === 2 && c.shape[0] === "B" ? c.shape[1] : -1)));
  if (widths.size !== 1 || widths.has(-1)) {
    throw new GraphError(
      "",
      `SnAp-1 needs every state to be [B, n] with one width n; the states are ${g.carry.map((c) => `${c.id} [${c.shape.join(", ")}]`).join(", ")}`,
    );
  }
  const n = [...widths][0] as number;
  const b = GraphBuilder.from(forward, "s");
  const seed = b.input("snap:seed", ["B"]);
  // the exact gradient of this step's loss, given the states entering it: immediate terms and ∂loss/∂state_{t-1}
  const grads = backprop(b, forward, [[g.loss, seed, "loss"]]);
  const sensitivities: Record<string, Record<string, string>> = {};
  const out: Record<string, string> = {};
  for (const p of g.params) {
    const terms: string[] = [];
    const immediate = grads.get(p.id);
    if (immediate !== undefined) terms.push(immediate);
    const reached = tangentCarries(forward, new Set([p.id]));
    if (reached.size > 0) {
      const carried = colorTangents(b, forward, p.id, p.shape, n, reached);
      sensitivities[p.id] = carried;
      for (const [state, m] of Object.entries(carried)) {
        const dState = grads.get(state);
        if (dState === undefined) continue;
        // Σ_b ∂loss/∂state[b, u] · M[b, c, u]: entry (c, u) is the param entry (r, g·n + u) of color c = (r, g)
        terms.push(b.reshape(b.sum(b.mul(b.reshape(dState, ["B", 1, n]), m), { axes: [0] }), p.shape));
      }
    }
    if (terms.length === 0) continue;
    out[p.id] = `snap:grad:${p.id}`;
    b.output(
      out[p.id],
      terms.reduce((a, t) => b.add(a, t)),
    );
  }
  const checked = checkGraph(pruneGraph(b.toGraph(g.name ? `${g.name} (SnAp-1)` : "SnAp-1")));
  return { checked, seed, width: n, sensitivities, grads: out };
}

/**
 * Adds the carried SnAp-1 sensitivities to one param and their updates: forward
 * mode with one direction per color, carries carrying their compressed tangents,
 * products of a state-derived value keeping each unit's own term.
 */
function colorTangents(
  b: GraphBuilder,
  forward: CheckedGraph,
  param: string,
  shape: readonly number[],
  n: number,
  reached: Set<string>,
): Record<string, string> {
  const g = forward.graph;
  const refuse = (why: string): never => {
    throw new GraphError("", `SnAp-1 cannot follow param "${param}" ${formatShape(shape)}: ${why}`);
  };
  if (shape.length > 2 || shape[shape.length - 1] % n !== 0) refuse(`its last axis must be a multiple of the state width ${n}`);
  const p = shape[shape.length - 1];
  const m = p / n;
  const D = shape.length === 2 ? shape[0] * m : m;
  // the tangents, each with the offset of its columns' units: column c belongs to unit (c − offset) mod n
  const tangents = new Map<string, { t: string; offset: number }>();
  const carry: Record<string, string> = {};
  for (const id of reached) {
    carry[id] = b.carry(`snap:${param}:${id}`, ["B", D, n]);
    tangents.set(id, { t: carry[id], offset: 0 });
  }
  // only what the states' updates need
  const needed = new Set<string>();
  const byId = new Map(forward.order.map((node) => [node.id, node] as const));
  const stack = [...reached].map((c) => g.update[c]);
  while (stack.length) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    byId.get(id)?.inputs.forEach((i) => stack.push(i));
  }
  const mod = (x: number): number => ((x % n) + n) % n;
  // the bias's colors: direction g perturbs the g-th block of n entries
  let biasSeed: string | undefined;
  const seedOf = (at: (why: string) => never): string => {
    if (shape.length === 2) return at("takes the weight itself, which must enter a product x·W directly");
    biasSeed ??= blockMask(b, m, n);
    return biasSeed;
  };
  for (const node of forward.order) {
    if (!needed.has(node.id)) continue;
    const has = (id: string): boolean => tangents.has(id) || id === param;
    if (!node.inputs.some(has)) continue;
    const at = (why: string): never => refuse(`node "${node.id}" (${node.op}) ${why}`);
    const outShape = forward.shapes.get(node.id)!;
    let t: string;
    let offset: number;
    if (node.op === "matmul") {
      ({ t, offset } = colorMatmul(b, node as NodeOf<"matmul">, tangents, param, n, m, at));
    } else {
      const ins = node.inputs.map((id) => (id === param ? { t: seedOf(at), offset: 0 } : tangents.get(id)));
      if (columnwise(node)) {
        const offsets = new Set(ins.filter((x) => x !== undefined).map((x) => mod(x!.offset)));
        if (offsets.size > 1) at("combines columns of different units");
        offset = [...offsets][0];
      } else if (node.op === "slice") {
        offset = ins[0]!.offset - (node as NodeOf<"slice">).attrs.start;
      } else if (node.op === "pad") {
        offset = ins[0]!.offset + (node as NodeOf<"pad">).attrs.before;
      } else if (node.op === "concat") {
        let position = 0;
        const offsets = new Set<number>();
        node.inputs.forEach((id, k) => {
          if (ins[k]) offsets.add(mod(position + ins[k]!.offset));
          position += forward.shapes.get(id)![1] as number;
        });
        if (offsets.size > 1) at("concatenates columns of different units");
        offset = [...offsets][0];
      } else {
        return at("mixes the columns of the state (only elementwise ops, slices, pads, concatenations and products x·W keep SnAp-1's units)");
      }
      const ctx = nodeTangentContext(b, node, outShape, D, {
        has,
        tangent: (id) => (id === param ? seedOf(at) : tangents.get(id)!.t),
        isIdentity: () => false,
      });
      const rule = opOf(node).jvp(ctx, node as never);
      if (rule === null) continue;
      t = rule;
    }
    if ((outShape.length !== 2 || outShape[0] !== "B") && outShape.length !== 1) at(`gives ${formatShape(outShape)}, not a [B, width] value`);
    tangents.set(node.id, { t: fullTangent(b, node, outShape, D, t), offset });
  }
  for (const id of reached) {
    const next = tangents.get(g.update[id]);
    if (next !== undefined && mod(next.offset) !== 0) refuse(`the update of state "${id}" is not aligned with its units`);
    b.update(carry[id], next?.t ?? b.mul(carry[id], b.scalar(0)));
  }
  return carry;
}

/** `[m, m·n]`: row g is 1 on the g-th block of n columns (the colors of a bias, or of one weight row). */
function blockMask(b: GraphBuilder, m: number, n: number): string {
  const blocks = b.constant(
    Array.from({ length: m * n }, (_, j) => Math.floor(j / n)),
    [m * n],
  );
  return b.transpose(b.oneHot(blocks, m), [1, 0]);
}

/**
 * A product in SnAp-1's colored forward mode, `x·W` with x `[B, k]`:
 * - W the param: color (r, g) of W is x[:, r] on the g-th block of columns;
 * - x carrying tangents, W constant: each output column j keeps only the terms
 *   of input columns of its own unit, `Σ_i ẋ[.., i, u]·W[i·n + u, j]` with u = j mod n
 *   over the blocks i of n input columns: a diagonal product, about a forward step's work.
 */
function colorMatmul(
  b: GraphBuilder,
  node: NodeOf<"matmul">,
  tangents: Map<string, { t: string; offset: number }>,
  param: string,
  n: number,
  m: number,
  at: (why: string) => never,
): { t: string; offset: number } {
  const [x, w] = node.inputs;
  if (node.attrs?.transposeA) at("uses transposeA");
  const xs = b.shape(x);
  if (xs.length !== 2 || xs[0] !== "B") at("multiplies a value that is not [B, k]");
  const k = xs[1] as number;
  const outWidth = b.shape(node.id)[1] as number;
  if (outWidth % n !== 0) at(`gives ${outWidth} columns, not a multiple of the state width ${n}`);
  const q = outWidth / n;
  const terms: string[] = [];
  if (x === param) at("multiplies the param from the left");
  if (w === param) {
    if (node.attrs?.transposeB) at("uses the param transposed");
    // color (r, g): x[:, r] on block g of the output's columns
    terms.push(b.reshape(b.mul(b.reshape(x, ["B", k, 1, 1]), b.reshape(blockMask(b, m, n), [1, m, m * n])), ["B", k * m, m * n]));
  } else if (tangents.has(w)) {
    at("multiplies by a weight that carries a tangent (a sliced or computed weight)");
  }
  const tx = tangents.get(x);
  if (tx) {
    // W as [k, p] (transposed if need be), its rows padded so that input column c sits at unit c mod n
    const weight = node.attrs?.transposeB ? b.transpose(w, [1, 0]) : w;
    const before = ((-tx.offset % n) + n) % n;
    const blocks = Math.ceil((before + k) / n);
    const after = blocks * n - before - k;
    const D = b.shape(tx.t)[1] as number;
    const txBlocks = b.reshape(before + after > 0 ? b.pad(tx.t, before, after) : tx.t, ["B", D, blocks, 1, n]);
    const wT = b.transpose(weight, [1, 0]);
    const wPadded = b.reshape(before + after > 0 ? b.pad(wT, before, after) : wT, [outWidth, blocks, n]);
    // Wd[i, j] = W[i·n + (j mod n), j]: each output column's own-unit weight in each block
    const unitOfColumn = b.oneHot(
      b.constant(
        Array.from({ length: outWidth }, (_, j) => j % n),
        [outWidth],
      ),
      n,
    );
    const own = b.sum(b.mul(wPadded, b.reshape(unitOfColumn, [outWidth, 1, n])), { axes: [2] });
    const ownByBlock = b.reshape(b.transpose(own, [1, 0]), [blocks, q, n]);
    terms.push(b.reshape(b.sum(b.mul(txBlocks, ownByBlock), { axes: [2] }), ["B", D, outWidth]));
  }
  return { t: terms.length === 2 ? b.add(terms[0], terms[1]) : terms[0], offset: 0 };
}
