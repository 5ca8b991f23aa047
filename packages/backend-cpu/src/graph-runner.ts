import { opOf, resolveShape, sizeOf, allocate, type CheckedGraph, type Dtype, type Node, type Tensor } from "@unroll/ir";
import { NonFiniteError } from "@unroll/bptt";
import type { KernelTable } from "./kernels/index.js";

/** Where a graph runs, for error messages about non-finite values. */
export interface RunSite {
  /** Time step from the start of the sequence. */
  readonly step: number;
  /** Stage index. */
  readonly stage: number;
  /** Forward or backward. */
  readonly pass: "forward" | "backward";
}

/**
 * Runs one step graph on typed arrays with a kernel table: the readable
 * reference executor. Concrete node shapes are resolved once per batch size.
 */
export class GraphRunner {
  private readonly shapes = new Map<number, number[][]>();

  constructor(
    /** The graph to run. */
    readonly checked: CheckedGraph,
    private readonly kernels: KernelTable,
    private readonly dtype: Dtype,
  ) {}

  private nodeShapes(batch: number): number[][] {
    let s = this.shapes.get(batch);
    if (!s) {
      s = this.checked.order.map((n) => resolveShape(this.checked.shapes.get(n.id)!, batch));
      this.shapes.set(batch, s);
    }
    return s;
  }

  /**
   * Runs every node, adding its value to `env` (which holds the xs, params and
   * carries on entry). With `site`, each output is checked for NaN/Infinity.
   */
  run(env: Map<string, Tensor>, batch: number, site?: RunSite): Map<string, Tensor> {
    const shapes = this.nodeShapes(batch);
    const order = this.checked.order;
    for (let i = 0; i < order.length; i++) {
      const node: Node = order[i];
      const inputs = node.inputs.map((id) => env.get(id)!);
      const out: Tensor = { shape: shapes[i], data: allocate(this.dtype, sizeOf(shapes[i])) };
      (this.kernels[node.op] as (n: Node, i: readonly Tensor[], o: Tensor) => void)(node, inputs, out);
      if (site) {
        const d = out.data;
        for (let k = 0; k < d.length; k++) {
          if (!Number.isFinite(d[k])) {
            throw new NonFiniteError({ node: node.id, op: opOf(node) && node.op, ...site }, d[k]);
          }
        }
      }
      env.set(node.id, out);
    }
    return env;
  }
}
