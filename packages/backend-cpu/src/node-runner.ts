import { allocate, resolveShape, sizeOf, type Dtype, type Node, type Shape, type Tensor } from "@unroll/ir";
import { NonFiniteError } from "@unroll/bptt";
import type { KernelTable } from "./kernels/index.js";

/** Where nodes run, for error messages about non-finite values. */
export interface RunSite {
  /** Time step from the start of the sequence. */
  readonly step: number;
  /** Stage index. */
  readonly stage: number;
  /** Forward or backward. */
  readonly pass: "forward" | "backward";
}

/**
 * Runs an ordered list of nodes on typed arrays with a kernel table, adding each
 * node's value to an environment. Concrete shapes are resolved once per batch
 * size (a batch may be B rows of one step, or L·B rows of L stacked steps).
 */
export class NodeRunner {
  private readonly resolved = new Map<number, number[][]>();

  constructor(
    private readonly nodes: readonly Node[],
    private readonly shapes: ReadonlyMap<string, Shape>,
    private readonly kernels: KernelTable,
    private readonly dtype: Dtype,
  ) {}

  private shapesFor(batch: number): number[][] {
    let s = this.resolved.get(batch);
    if (!s) {
      s = this.nodes.map((n) => resolveShape(this.shapes.get(n.id)!, batch));
      this.resolved.set(batch, s);
    }
    return s;
  }

  /** Runs every node; with `site`, each output is checked for NaN/Infinity. */
  run(env: Map<string, Tensor>, batch: number, site?: RunSite): Map<string, Tensor> {
    const shapes = this.shapesFor(batch);
    const nodes = this.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      const inputs = node.inputs.map((id) => env.get(id)!);
      const out: Tensor = { shape: shapes[i], data: allocate(this.dtype, sizeOf(shapes[i])) };
      (this.kernels[node.op] as (n: Node, i: readonly Tensor[], o: Tensor) => void)(node, inputs, out);
      if (site) {
        const d = out.data;
        for (let k = 0; k < d.length; k++) {
          if (!Number.isFinite(d[k])) throw new NonFiniteError({ node: node.id, op: node.op, ...site }, d[k]);
        }
      }
      env.set(node.id, out);
    }
    return env;
  }
}
