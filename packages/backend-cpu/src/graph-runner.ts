import type { CheckedGraph, Dtype, Tensor } from "@unroll/ir";
import type { KernelTable } from "./kernels/index.js";
import { NodeRunner, type RunSite } from "./node-runner.js";

/** Runs one whole step graph on typed arrays with a kernel table: the readable reference executor. */
export class GraphRunner {
  private readonly runner: NodeRunner;

  constructor(
    /** The graph to run. */
    readonly checked: CheckedGraph,
    kernels: KernelTable,
    dtype: Dtype,
  ) {
    this.runner = new NodeRunner(checked.order, checked.shapes, kernels, dtype);
  }

  /**
   * Runs every node, adding its value to `env` (which holds the xs, params and
   * carries on entry). With `site`, each output is checked for NaN/Infinity.
   */
  run(env: Map<string, Tensor>, batch: number, site?: RunSite): Map<string, Tensor> {
    return this.runner.run(env, batch, site);
  }
}
