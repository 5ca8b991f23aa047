import { allocate, full, resolveShape, sizeOf, type CheckedGraph, type CheckedProgram, type Node, type Tensor } from "@unroll/ir";
import { stepView } from "@unroll/bptt";
import { cpuKernels } from "@unroll/kernels-cpu";
import { cast } from "./tensors.js";

/** What the reference forward pass computes. */
export interface ReferenceResult {
  /** The program's output sequence `[T, B, ...]`. */
  readonly outputs: Tensor;
  /** Each state after each step, `[T, B, ...]`, indexed by time: a reverse stage's step t is written at t, not at its scan position. */
  readonly states: Readonly<Record<string, Tensor>>;
  /** Each state after the stage's last step (a reverse stage's last step is t = 0). */
  readonly finalState: Readonly<Record<string, Tensor>>;
  /** Mean per-row loss over all T·B (step, row) pairs, when the program has a loss. */
  readonly loss?: number;
}

/** Runs one step: every node in order with the CPU kernels in float64, each value added to `env`. */
function runStep(checked: CheckedGraph, env: Map<string, Tensor>, batch: number): void {
  for (const node of checked.order) {
    const shape = resolveShape(checked.shapes.get(node.id)!, batch);
    const out: Tensor = { shape, data: allocate("float64", sizeOf(shape)) };
    (cpuKernels[node.op] as (n: Node, inputs: readonly Tensor[], out: Tensor) => void)(
      node,
      node.inputs.map((id) => env.get(id)!),
      out,
    );
    env.set(node.id, out);
  }
}

/**
 * The float64 reference of a forward pass, independent of any backend's window
 * runner: each stage's scan written as a plain loop over time, each step run by
 * the CPU kernels (the readable specification of every op). Inputs of any
 * precision are widened to float64 first.
 *
 * ```
 * for each stage s: carry = initialState ?? init
 *   for t in 0..T-1 (T-1..0 for a reverse stage):
 *     values = step_s(params, carry, xs[t]); ys[t] = values[ys]; loss += Σ_b values[loss]
 *     carry = values[update]; states[t] = carry
 * loss /= T·B
 * ```
 */
export function referenceForward(
  program: CheckedProgram,
  params: Readonly<Record<string, Tensor>>,
  sequences: Readonly<Record<string, Tensor>>,
  initialState: Readonly<Record<string, Tensor>> = {},
): ReferenceResult {
  const seqs = new Map(Object.entries(sequences).map(([k, t]) => [k, cast(t, "float64")] as const));
  const [T, B] = seqs.get(Object.keys(program.dataInputs)[0])!.shape;
  const states: Record<string, Tensor> = {};
  const finalState: Record<string, Tensor> = {};
  let lossSum = 0;
  for (const stage of program.stages) {
    const g = stage.checked.graph;
    let carry = new Map(
      g.carry.map((c) => [c.id, initialState[c.id] ? cast(initialState[c.id], "float64") : full(resolveShape(c.shape, B), c.init ?? 0, "float64")] as const),
    );
    const ys = new Map(g.ys.map((y) => [y.id, full([T, ...resolveShape(stage.checked.shapes.get(y.value)!, B)], 0, "float64")] as const));
    for (let k = 0; k < T; k++) {
      const t = stage.reverse ? T - 1 - k : k;
      const env = new Map<string, Tensor>(Object.entries(params).map(([id, p]) => [id, cast(p, "float64")]));
      for (const x of g.xs) env.set(x.id, stepView(seqs.get(x.id)!, t));
      for (const [id, v] of carry) env.set(id, v);
      runStep(stage.checked, env, B);
      for (const y of g.ys) stepView(ys.get(y.id)!, t).data.set(env.get(y.value)!.data);
      if (g.loss !== undefined) for (const v of env.get(g.loss)!.data) lossSum += v;
      carry = new Map(g.carry.map((c) => [c.id, env.get(g.update[c.id])!] as const));
      for (const [id, v] of carry) {
        states[id] ??= full([T, ...v.shape], 0, "float64");
        stepView(states[id], t).data.set(v.data);
      }
    }
    for (const [id, t] of ys) seqs.set(id, t);
    for (const [id, v] of carry) finalState[id] = v;
  }
  const outputs = seqs.get(program.program.output)!;
  return { outputs, states, finalState, ...(program.hasLoss ? { loss: lossSum / (T * B) } : {}) };
}
