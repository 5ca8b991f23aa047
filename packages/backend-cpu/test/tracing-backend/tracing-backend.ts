import { opKinds, type OpKind } from "@unroll/ir";
import type { Backend } from "@unroll/bptt";
import { cpuKernels, createCpuBackend, type Kernel, type KernelTable } from "../../src/index.js";

/** One kernel call: which op ran, for which node, on inputs of which shapes. */
export interface KernelCall {
  /** The op. */
  readonly op: OpKind;
  /** Id of the node (forward graph) or of the gradient node (backward graph). */
  readonly node: string;
  /** Concrete shapes of the inputs, batch resolved. */
  readonly inputShapes: readonly (readonly number[])[];
}

/** `kernel`, recording each call in `log` first. */
function traced<K extends OpKind>(kernel: Kernel<K>, log: KernelCall[]): Kernel<K> {
  return (node, inputs, out) => {
    log.push({ op: node.op, node: node.id, inputShapes: inputs.map((t) => [...t.shape]) });
    kernel(node, inputs, out);
  };
}

/**
 * A kernel table whose every kernel records its calls in `log` and then runs the
 * kernel of `kernels`: a decorator over any table, as burn's `Autodiff<B>` is over
 * any backend.
 */
export function traceKernels(kernels: KernelTable, log: KernelCall[]): KernelTable {
  const wrap = <K extends OpKind>(op: K): Kernel<K> => traced(kernels[op], log);
  // opKinds lists every op, so the table is complete
  return Object.fromEntries(opKinds.map((op) => [op, wrap(op)])) as unknown as KernelTable;
}

/** The CPU backend with every kernel call recorded in `log`. */
export function createTracingBackend(log: KernelCall[]): Backend {
  return { ...createCpuBackend({ kernels: traceKernels(cpuKernels, log) }), name: "tracing" };
}
