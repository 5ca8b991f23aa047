import type { NodeOf, OpKind, Tensor } from "@unroll/ir";

/**
 * A forward kernel: computes one node into `out`, whose shape the executor has
 * already inferred and whose array it has allocated (float32 or float64, like the
 * inputs). Kernels never allocate their output and never keep references.
 */
export type Kernel<K extends OpKind> = (node: NodeOf<K>, inputs: readonly Tensor[], out: Tensor) => void;

/** A complete kernel table: one kernel per op, or the compiler names the op that is missing. */
export type KernelTable = { readonly [K in OpKind]: Kernel<K> };
