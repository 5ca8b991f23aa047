import { addInto, dtypeOf, opKinds, sizeOf, type Node, type Tensor } from "@unroll/ir";
import { unfused, type Device, type Executable, type PrepareContext } from "@unroll/bptt";
import { BufferPool } from "./buffer-pool.js";
import { planFusion, type FusedGroup } from "./fusion.js";
import type { KernelTable } from "@unroll/kernels-cpu";

/** Options of {@link cpuDevice}. */
export interface CpuDeviceOptions {
  /** The kernel table: one kernel per op. */
  readonly kernels: KernelTable;
  /** Run chains of elementwise nodes as single compiled loops instead of one kernel call each. */
  readonly fuse: boolean;
}

/**
 * The CPU as a device: buffers are host tensors (typed arrays), so uploading,
 * reading and viewing cost nothing; kernels run at once in this thread.
 * Released buffers are reused by later windows (a pool of typed arrays). With
 * `fuse`, {@link Device.prepare} groups elementwise chains into compiled loops.
 */
export function cpuDevice({ kernels, fuse }: CpuDeviceOptions): Device<Tensor> {
  const groups = new WeakMap<Executable, FusedGroup>();
  const pool = new BufferPool();
  return {
    name: "cpu",
    capabilities: { dtypes: ["float32", "float64"], ops: opKinds },
    alloc: (shape, dtype) => ({ shape: [...shape], data: pool.take(dtype, sizeOf(shape)) }),
    upload: (t) => t,
    read: (buf) => {
      // no copy: the caller gets the buffer's own memory, which the pool then never reuses
      pool.handOut(buf.data);
      return buf.data;
    },
    view: (buf, offset, shape) => ({ shape, data: buf.data.subarray(offset, offset + sizeOf(shape)) }),
    copy: (src, dst) => dst.data.set(src.data),
    accumulate: (dst, src) => addInto(dst, src),
    fill: (buf, value) => void buf.data.fill(value),
    prepare(nodes: readonly Node[], { shapes, live, dtype }: PrepareContext): readonly Executable[] {
      if (!fuse) return unfused(nodes);
      return planFusion(nodes, shapes, live, dtype).map((step) => {
        if ("node" in step) return { nodes: [step.node], inputs: step.node.inputs };
        const exe: Executable = { nodes: step.group.members, inputs: step.group.inputs };
        groups.set(exe, step.group);
        return exe;
      });
    },
    run(exe, inputs, out) {
      const group = groups.get(exe);
      if (group) {
        // a trailing-broadcast operand repeats every `period` elements; its shape has no batch axis
        const period = group.tileShape ? sizeOf(group.tileShape as number[]) : out.data.length;
        group.run(
          inputs.map((t) => t.data),
          out.data,
          out.data.length,
          period,
        );
        return;
      }
      const node = exe.nodes[0];
      (kernels[node.op] as (n: Node, i: readonly Tensor[], o: Tensor) => void)(node, inputs, out);
    },
    release: (buf) => pool.give(buf.data, dtypeOf(buf.data)),
  };
}
