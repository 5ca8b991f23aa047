import { GraphBuilder } from "./builder.js";
import { GraphError } from "./errors.js";
import type { StepGraph } from "./graph.js";
import { addTangents } from "./jvp.js";
import type { CheckedProgram } from "./check-program.js";
import { pruneGraph } from "./autodiff.js";
import { sizeOf } from "./shape.js";
import { checkGraph, type CheckedGraph } from "./validate.js";

/**
 * The stages of a causal program (every stage scans forward) as one step
 * graph: at step t, stage k reads the outputs of earlier stages at step t, so
 * running the stages in lockstep is the same computation. Nodes of stage k > 0
 * get the prefix `k/` to keep ids apart; the loss is the sum of the stages'.
 */
export function causalStepGraph(program: CheckedProgram): CheckedGraph {
  if (program.stages.length === 1) return program.stages[0].checked;
  const reverse = program.stages.findIndex((s) => s.reverse);
  if (reverse >= 0) throw new GraphError(`stages[${reverse}]`, "the program reads the future (a reverse stage), so its stages cannot run as one forward step");
  const graph: StepGraph = { format: "unroll.graph/1", name: "causal step", xs: [], params: [], carry: [], nodes: [], ys: [], update: {} };
  const produced = new Map<string, string>();
  const losses: string[] = [];
  program.stages.forEach((stage, k) => {
    const g = stage.checked.graph;
    const own = new Set(g.nodes.map((n) => n.id));
    const id = (v: string): string => produced.get(v) ?? (k > 0 && own.has(v) ? `${k}/${v}` : v);
    for (const x of g.xs) if (!produced.has(x.id) && !graph.xs.some((y) => y.id === x.id)) graph.xs.push(x);
    for (const p of g.params) if (!graph.params.some((q) => q.id === p.id)) graph.params.push(p);
    graph.carry.push(...g.carry);
    for (const n of stage.checked.order) graph.nodes.push({ ...n, id: id(n.id), inputs: n.inputs.map(id) } as typeof n);
    for (const [c, v] of Object.entries(g.update)) graph.update[c] = id(v);
    for (const y of g.ys) graph.ys.push({ id: y.id, value: id(y.value) });
    for (const y of g.ys) produced.set(y.id, id(y.value));
    if (g.loss !== undefined) losses.push(id(g.loss));
  });
  if (losses.length === 1) graph.loss = losses[0];
  if (losses.length > 1) {
    let sum = losses[0];
    losses.slice(1).forEach((l, i) => {
      graph.nodes.push({ id: `loss/${i}`, op: "add", inputs: [sum, l] });
      sum = `loss/${i}`;
    });
    graph.loss = sum;
  }
  return checkGraph(graph);
}

/** A step graph that carries RTRL's sensitivities; see {@link rtrlGraph}. */
export interface RtrlGraph {
  /** The graph, validated. */
  readonly checked: CheckedGraph;
  /** The xs `[B]` that weighs each row's loss at this step (what reverse mode would seed the loss with). */
  readonly seed: string;
  /** The carried sensitivity `∂state/∂param`, `[B, size(param), ...state]`, by param and then by state: carry ids of the graph. */
  readonly sensitivities: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** This step's contribution to each param's gradient (a ys of the param's shape, to be summed over steps), for the params the loss depends on. */
  readonly grads: Readonly<Record<string, string>>;
}

/**
 * Real-time recurrent learning as a transform of the step graph: forward mode
 * with every param's entries as the directions, so each carry also carries its
 * sensitivity to each param, `M_t = J_t·M_{t-1} + M̄_t` (the JVP of the step,
 * with the param's tangent the identity), and each step adds
 * `Σ_b seed[b]·∂loss_t[b]/∂θ` (the loss's tangent) to the gradient. A scan of
 * this graph gives, at its end, the same gradient as backpropagation through
 * the whole sequence, with memory that does not grow with its length.
 *
 * ```
 * M = 0; g = 0
 * for t in 0..T-1:  carry, M, l̇ = jvp(step)(carry, M, I);  g += seed_t · l̇
 * ```
 */
export function rtrlGraph(forward: CheckedGraph): RtrlGraph {
  const g = forward.graph;
  if (g.loss === undefined) throw new GraphError("", "RTRL needs a loss: the step graph has none");
  const b = GraphBuilder.from(forward, "r");
  const seed = b.input("rtrl:seed", ["B"]);
  const column = b.reshape(seed, ["B", 1]);
  const sensitivities: Record<string, Record<string, string>> = {};
  const grads: Record<string, string> = {};
  for (const p of g.params) {
    const t = addTangents(b, forward, { directions: sizeOf(p.shape), identity: [p.id], name: `rtrl:${p.id}` });
    sensitivities[p.id] = t.carry;
    const lossTangent = t.values.get(g.loss);
    if (lossTangent === undefined) continue;
    // Σ_b seed[b]·l̇[b, :]: the loss's tangent [B, size] weighed by rows, as the param's shape
    grads[p.id] = `rtrl:grad:${p.id}`;
    b.output(grads[p.id], b.reshape(b.matmul(column, lossTangent, { transposeA: true }), p.shape));
  }
  const checked = checkGraph(pruneGraph(b.toGraph(g.name ? `${g.name} (RTRL)` : "RTRL")));
  return { checked, seed, sensitivities, grads };
}
