import type { CheckedProgram } from "./check-program.js";
import { maskGraph } from "./mask.js";
import { ops, type Node } from "./ops/index.js";
import type { Shape } from "./shape.js";
import type { CheckedGraph } from "./validate.js";

/** What a value depends on: nothing per-row (params, constants), its own row only, or several rows. */
type Dependence = "const" | "row" | "mixed";

const batchLeading = (s: Shape): boolean => s[0] === "B" && s.slice(1).every((d) => d !== "B");

/** True when a node with the `shape` batch rule (a `countOf`) reads the batch dimension: its `axes`, all by default, include it. */
function countsBatch(node: Node, input: Shape): boolean {
  const axes = (node.attrs as { axes?: number[] } | undefined)?.axes;
  return input.some((d, i) => d === "B" && (axes === undefined || axes.some((a) => (a < 0 ? a + input.length : a) === i)));
}

/** Why one step graph's rows are not independent, or undefined when they are; see {@link batchCoupling}. */
export function batchCouplingOfGraph(checked: CheckedGraph): string | undefined {
  const g = checked.graph;
  const dep = new Map<string, Dependence>();
  for (const x of g.xs) dep.set(x.id, "row");
  for (const c of g.carry) dep.set(c.id, "row");
  for (const p of g.params) dep.set(p.id, "const");
  let culprit: string | undefined;
  for (const node of checked.order) {
    const ins = node.inputs.map((id) => dep.get(id) ?? "mixed");
    const shape = checked.shapes.get(node.id)!;
    let d: Dependence;
    if (ops[node.op].batch === "shape") d = countsBatch(node, checked.shapes.get(node.inputs[0])!) ? "mixed" : "const";
    else if (ins.every((i) => i === "const")) d = "const";
    else if (ins.includes("mixed")) d = "mixed";
    else d = batchLeading(shape) ? "row" : "mixed";
    if (d === "mixed" && !ins.includes("mixed")) culprit ??= `node "${node.id}" (${node.op}) combines batch rows`;
    dep.set(node.id, d);
  }
  const outs = [...g.ys.map((y) => y.value), ...Object.values(g.update), ...(g.loss !== undefined ? [g.loss] : [])];
  return outs.some((id) => dep.get(id) !== "row" && dep.get(id) !== "const") ? (culprit ?? "an output is not per-row") : undefined;
}

/**
 * Why a program cannot be split over the batch, or undefined when it can:
 * when every stage's outputs, carries and loss depend on their own batch row
 * only (with or without a mask), running rows apart and adding the slices'
 * losses and gradients gives the whole batch's.
 */
export function batchCoupling(program: CheckedProgram): string | undefined {
  for (const [s, stage] of program.stages.entries()) {
    for (const graph of [stage.checked, maskGraph(stage.checked)]) {
      const why = batchCouplingOfGraph(graph);
      if (why) return `stage ${s}: ${why}`;
    }
  }
  return undefined;
}
