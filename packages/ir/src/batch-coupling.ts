import type { CheckedProgram } from "./check-program.js";
import type { Shape } from "./shape.js";
import type { CheckedGraph } from "./validate.js";

const hasBatch = (s: Shape): boolean => s.includes("B");

/**
 * Why the rows of a batch interact in this step graph, or `undefined` when each
 * row's values depend only on that row (so the batch can be split across
 * workers and the parts' gradients added). Rows interact when a value is reduced
 * over the batch (a sum or mean over axis 0, a product contracting over it, a
 * count of rows) or when the batch axis moves away from the front. (Last-axis
 * ops cannot mix rows: their shape rules need a fixed last dimension.)
 */
export function batchCouplingOfGraph(checked: CheckedGraph): string | undefined {
  for (const n of checked.order) {
    const out = checked.shapes.get(n.id)!;
    const ins = n.inputs.map((i) => checked.shapes.get(i)!);
    if (hasBatch(out) && out[0] !== "B") return `node "${n.id}" (${n.op}) moves the batch axis away from the front`;
    if (ins.some(hasBatch) && !hasBatch(out)) return `node "${n.id}" (${n.op}) reduces over the batch`;
  }
  return undefined;
}

/** {@link batchCouplingOfGraph} for every stage of a program, naming the stage. */
export function batchCoupling(program: CheckedProgram): string | undefined {
  for (const [s, stage] of program.stages.entries()) {
    const why = batchCouplingOfGraph(stage.checked);
    if (why) return program.stages.length > 1 ? `stage ${s}: ${why}` : why;
  }
  return undefined;
}
