import { allocate, opKinds, sizeOf, type FloatArray, type Node, type Tensor } from "@unroll/ir";
import { deviceBackend, unfused, type Backend, type Device } from "@unroll/bptt";
import { cpuKernels, type KernelTable } from "@unroll/kernels-cpu";

/** A buffer handle: which allocation, where in it, and its shape. The host never touches device memory directly. */
export interface Handle {
  /** The allocation. */
  readonly id: number;
  /** Where the buffer starts in it, in elements. */
  readonly offset: number;
  /** The buffer's shape. */
  readonly shape: readonly number[];
}

/**
 * A device whose memory the host can only read asynchronously, as a GPU's:
 * buffers are handles into a private store, `read` resolves on a later turn
 * of the event loop and returns a copy, and a released buffer is gone (a use
 * after release throws). Kernels come from a kernel table.
 */
export function asyncHostDevice(kernels: KernelTable = cpuKernels): Device<Handle> {
  const memory = new Map<number, FloatArray>();
  let next = 0;
  const array = (h: Handle): FloatArray => {
    const block = memory.get(h.id);
    if (!block) throw new Error(`buffer ${h.id} was used after it was released`);
    return block.subarray(h.offset, h.offset + sizeOf(h.shape));
  };
  const tensor = (h: Handle): Tensor => ({ shape: h.shape, data: array(h) });
  const store = (data: FloatArray, shape: readonly number[]): Handle => {
    memory.set(next, data);
    return { id: next++, offset: 0, shape };
  };
  return {
    name: "async-host",
    capabilities: { dtypes: ["float32", "float64"], ops: opKinds },
    alloc: (shape, dtype) => store(allocate(dtype, sizeOf(shape)), shape),
    upload: (t) => store(t.data.slice(), t.shape),
    read: async (h) => {
      // a later turn of the event loop (setImmediate: no 1 ms timer clamp per read)
      await new Promise((resolve) => setImmediate(resolve));
      return array(h).slice();
    },
    view: (h, offset, shape) => ({ id: h.id, offset: h.offset + offset, shape }),
    copy: (src, dst) => array(dst).set(array(src)),
    accumulate: (dst, src) => {
      const d = array(dst);
      const s = array(src);
      for (let i = 0; i < d.length; i++) d[i] += s[i];
    },
    fill: (h, value) => void array(h).fill(value),
    prepare: unfused,
    run: (exe, inputs, out) => {
      const node = exe.nodes[0];
      (kernels[node.op] as (n: Node, i: readonly Tensor[], o: Tensor) => void)(node, inputs.map(tensor), tensor(out));
    },
    release: (h) => void memory.delete(h.id),
  };
}

/** The backend: the shared executor on the device. */
export function createAsyncHostBackend(): Backend {
  return deviceBackend(asyncHostDevice());
}
