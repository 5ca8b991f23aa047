import { allocate, resolveShape, sizeOf, type Dtype, type FloatArray, type Node, type Shape, type Tensor } from "@unroll/ir";
import { NonFiniteError } from "@unroll/bptt";
import { planFusion, type ExecStep } from "./fusion.js";
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
  private readonly steps: readonly ExecStep[];
  private readonly slots = new Map<string, FloatArray[]>();

  /**
   * @param fuseExcept with it, chains of elementwise nodes run as single fused
   * loops; it names the values that must still be materialized (read elsewhere)
   */
  constructor(
    nodes: readonly Node[],
    private readonly shapes: ReadonlyMap<string, Shape>,
    private readonly kernels: KernelTable,
    private readonly dtype: Dtype,
    fuseExcept?: ReadonlySet<string>,
  ) {
    this.steps = fuseExcept ? planFusion(nodes, shapes, fuseExcept, dtype) : nodes.map((node) => ({ node }));
  }

  private shapesFor(batch: number): number[][] {
    let s = this.resolved.get(batch);
    if (!s) {
      s = this.steps.map((st) => {
        const id = "node" in st ? st.node.id : st.group.members[st.group.members.length - 1].id;
        return resolveShape(this.shapes.get(id)!, batch);
      });
      this.resolved.set(batch, s);
    }
    return s;
  }

  /**
   * Runs every node; with `site`, each output is checked for NaN/Infinity. With
   * `slot`, outputs go to buffers kept for that slot and reused by the next run
   * with the same slot and batch (a loop alternating two slots lets step t+1
   * read step t's values while step t+2 overwrites step t's), so a step
   * allocates nothing.
   */
  run(env: Map<string, Tensor>, batch: number, site?: RunSite, slot?: number): Map<string, Tensor> {
    const shapes = this.shapesFor(batch);
    const steps = this.steps;
    let buffers: FloatArray[] | undefined;
    if (slot !== undefined) {
      const key = `${batch}:${slot}`;
      buffers = this.slots.get(key);
      if (!buffers) {
        buffers = shapes.map((s) => allocate(this.dtype, sizeOf(s)));
        this.slots.set(key, buffers);
      }
    }
    for (let i = 0; i < steps.length; i++) {
      const st = steps[i];
      const out: Tensor = { shape: shapes[i], data: buffers ? buffers[i] : allocate(this.dtype, sizeOf(shapes[i])) };
      if ("group" in st) {
        const { group } = st;
        const period = group.tileShape ? sizeOf(resolveShape(group.tileShape, batch)) : out.data.length;
        group.run(group.inputs.map((id) => env.get(id)!.data), out.data, out.data.length, period);
        env.set(group.members[group.members.length - 1].id, out);
        continue;
      }
      const node = st.node;
      const inputs = node.inputs.map((id) => env.get(id)!);
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
