import type { Dtype, FloatArray, NodeOf, OpKind, Shape, Tensor } from "@unroll/ir";

/** A node of a step graph, of any op: the IR's `Node` (written through `NodeOf` so that the API reference links to the op set instead of spelling out every op's node). */
export type StepNode = NodeOf<OpKind>;
import type { BackendCapabilities } from "./backend.js";

/**
 * One unit of kernel work on a device: a single node, or a chain of nodes the
 * device chose to run as one kernel (see {@link Device.prepare}). It writes the
 * value of its last node.
 */
export interface Executable {
  /** The nodes it computes, in order; the last one's value is its output. */
  readonly nodes: readonly StepNode[];
  /** Ids of the values it reads, in the order `run` receives their buffers. */
  readonly inputs: readonly string[];
}

/** What {@link Device.prepare} knows about the nodes it is given. */
export interface PrepareContext {
  /** Symbolic shape of every value (`"B"` for the batch axis). */
  readonly shapes: ReadonlyMap<string, Shape>;
  /** Values that must be materialized, because something outside these nodes reads them. */
  readonly live: ReadonlySet<string>;
  /** Precision of every buffer. */
  readonly dtype: Dtype;
}

/**
 * A backend as a device: memory and kernels, nothing about time. The shared
 * executor ({@link deviceBackend}) runs every window program (forward scans,
 * backward scans, checkpoints, masks, loss seeding) by calling these methods;
 * the device only allocates, moves and computes. `Buf` is the device's buffer
 * handle (a host tensor on the CPU, a `GPUBuffer` range on a GPU); the executor
 * never looks inside one, and reads it back only through {@link Device.read}.
 *
 * Every method but `read` only enqueues work: a device may run it at once (the
 * CPU) or record it for later submission (a GPU). `read` is the one point where
 * the host waits.
 */
export interface Device<Buf> {
  /** Short name, e.g. `"cpu"`. */
  readonly name: string;
  /** Dtypes and ops this device has kernels for. */
  readonly capabilities: BackendCapabilities;
  /** A new zero-filled buffer. */
  alloc(shape: readonly number[], dtype: Dtype): Buf;
  /** A buffer holding `t` (a device whose memory is the host's may use `t` itself: the executor never writes to it). */
  upload(t: Tensor): Buf;
  /** The buffer's contents, on the host, for the caller to keep. A host device may return the buffer's own memory; it must then never reuse that memory, even after `release`. */
  read(buf: Buf): FloatArray | Promise<FloatArray>;
  /** Elements `[offset, offset + size(shape))` of `buf` as a buffer of `shape`, sharing its memory (one time step, or steps stacked as rows). */
  view(buf: Buf, offset: number, shape: readonly number[]): Buf;
  /** `dst ← src`, both of the same size. */
  copy(src: Buf, dst: Buf): void;
  /** `dst ← dst + src`, both of the same size. */
  accumulate(dst: Buf, src: Buf): void;
  /** Sets every element of `buf` to `value`. */
  fill(buf: Buf, value: number): void;
  /**
   * Turns an ordered list of nodes (one part of a scan) into the kernel calls
   * that compute them, once per program. The simplest device returns one
   * {@link Executable} per node ({@link unfused}); a faster one fuses chains of
   * elementwise nodes, keeping every value in `context.live` materialized.
   */
  prepare(nodes: readonly StepNode[], context: PrepareContext): readonly Executable[];
  /** Runs one executable: `inputs` hold its input values in order, `out` receives the value of its last node. */
  run(exe: Executable, inputs: readonly Buf[], out: Buf): void;
  /** Frees a buffer made by `alloc` or `upload` (views are never released). */
  release(buf: Buf): void;
}

/** One {@link Executable} per node: a device that does not fuse. */
export function unfused(nodes: readonly StepNode[]): Executable[] {
  return nodes.map((node) => ({ nodes: [node], inputs: node.inputs }));
}
