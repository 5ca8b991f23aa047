import { allocate, resolveShape, sizeOf, type CheckedGraph, type Dtype, type Node, type Tensor } from "@unroll/ir";
import type { KernelTable } from "@unroll/kernels-cpu";

/**
 * Runs one whole step graph on typed arrays with a kernel table, node by node:
 * the readable reference executor of a single step (tests check autodiff
 * graphs with it; windows run through the shared executor).
 */
export class GraphRunner {
  constructor(
    /** The graph to run. */
    readonly checked: CheckedGraph,
    private readonly kernels: KernelTable,
    private readonly dtype: Dtype,
  ) {}

  /** Runs every node, adding its value to `env` (which holds the xs, params and carries on entry). */
  run(env: Map<string, Tensor>, batch: number): Map<string, Tensor> {
    for (const node of this.checked.order) {
      const shape = resolveShape(this.checked.shapes.get(node.id)!, batch);
      const out: Tensor = { shape, data: allocate(this.dtype, sizeOf(shape)) };
      (this.kernels[node.op] as (n: Node, i: readonly Tensor[], o: Tensor) => void)(
        node,
        node.inputs.map((id) => env.get(id)!),
        out,
      );
      env.set(node.id, out);
    }
    return env;
  }
}
