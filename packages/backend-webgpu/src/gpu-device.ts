/// <reference types="@webgpu/types" />
import { elementwiseChains, ops, opKinds, sizeOf, type Node, type OpKind } from "@unroll/ir";
import type { Device, Executable } from "@unroll/bptt";
import { accumulate, copy, encodeNode, fill } from "./encode-node.js";
import type { GpuBuf } from "./gpu-buffer.js";
import { GpuQueue } from "./gpu-queue.js";
import { elementwiseMeta, elementwiseSource, MAX_OPERANDS, type OperandAccess } from "./kernels/elementwise.js";
import { ERROR_CODES } from "./kernels/prelude.js";
import { broadcastStrides, collapse, rowMajor } from "./kernels/strided.js";

/** What the ops that check ids report when one is bad: the same message as the CPU kernels'. */
function idError(error: Float32Array): Error {
  const [code, row, id, bound] = error;
  const op = (Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]).find((k) => ERROR_CODES[k] === code) ?? `kernel ${code}`;
  const what = op === "gather" ? "id" : "class id";
  return new Error(`${op}: row ${row} has ${what} ${id}, which is not an integer in [0, ${bound})`);
}

/** How many values a chain of nodes reads from outside itself: one kernel's operands. */
function outsideInputs(members: readonly Node[]): number {
  const inside = new Set(members.map((m) => m.id));
  return new Set(members.flatMap((m) => m.inputs).filter((i) => !inside.has(i))).size;
}

/** A WebGPU device as an unroll {@link Device}, and what it holds. */
export interface WebGpuDevice extends Device<GpuBuf> {
  /** Elements of device memory in use. */
  readonly usedElements: () => number;
  /** Frees the device's buffers (the `GPUDevice` itself belongs to the caller). */
  destroy(): void;
}

/**
 * A `GPUDevice` as a {@link Device}: every tensor is a range of one storage
 * buffer, every kernel a WGSL compute shader, every method but `read` only
 * records work, and `read` submits it all in one compute pass and waits.
 * Chains of elementwise nodes prepared together run as one generated kernel.
 * float32 only: WGSL has no float64.
 */
export function webGpuDevice(gpu: GPUDevice): WebGpuDevice {
  const q = new GpuQueue(gpu);
  const constants = new WeakMap<Node, GpuBuf>();
  const alloc = (shape: readonly number[]): GpuBuf => {
    const size = sizeOf(shape);
    return { offset: size === 0 ? 0 : q.alloc(size), size, shape: [...shape] };
  };
  const release = (buf: GpuBuf): void => {
    if (buf.size > 0) q.free(buf.offset, buf.size);
  };
  const upload = (values: ArrayLike<number>, shape: readonly number[]): GpuBuf => {
    const buf = alloc(shape);
    q.write(buf.offset, values instanceof Float32Array ? values : Float32Array.from(values));
    return buf;
  };
  const runElementwise = (exe: Executable, inputs: readonly GpuBuf[], out: GpuBuf): void => {
    if (out.size === 0) return;
    const strides = inputs.map((b) => broadcastStrides(b.shape, out.shape));
    const own = rowMajor(out.shape);
    const access: OperandAccess[] = inputs.map((b, k) => (b.size === out.size && strides[k].every((s, a) => s === own[a]) ? "full" : "strided"));
    const c = collapse(out.shape, strides);
    const operands = inputs.map((b, k) => ({ base: b.offset, strides: c.strides[k] }));
    q.dispatchLinear(elementwiseSource(exe.nodes, exe.inputs, access), elementwiseMeta(out.size, c.dims, out.offset, operands));
  };
  return {
    name: "webgpu",
    capabilities: { dtypes: ["float32"], ops: opKinds },
    usedElements: () => q.used,
    alloc(shape) {
      const buf = alloc(shape);
      if (buf.size > 0) fill(q, buf, 0);
      return buf;
    },
    upload: (t) => upload(t.data, t.shape),
    async read(buf) {
      const { values, error } = await q.read(buf.offset, buf.size);
      if (error[0] !== 0) throw idError(error);
      return values;
    },
    view: (buf, offset, shape) => ({ offset: buf.offset + offset, size: sizeOf(shape), shape: [...shape] }),
    copy: (src, dst) => copy(q, src, dst),
    accumulate: (dst, src) => accumulate(q, dst, src),
    fill: (buf, value) => fill(q, buf, value),
    prepare: (nodes, { shapes, live }) =>
      elementwiseChains(nodes, shapes, live, (members, n) => outsideInputs([...members, n]) <= MAX_OPERANDS).map((step) =>
        "node" in step ? { nodes: [step.node], inputs: step.node.inputs } : { nodes: step.chain.members, inputs: step.chain.inputs },
      ),
    run(exe, inputs, out) {
      const node = exe.nodes[exe.nodes.length - 1];
      if (exe.nodes.length > 1 || ops[node.op as OpKind].elementwise !== undefined) return runElementwise(exe, inputs, out);
      encodeNode(q, node, inputs, out, (c) => {
        let b = constants.get(c);
        if (!b) constants.set(c, (b = upload(c.attrs.values!, [c.attrs.values!.length])));
        return b;
      });
    },
    release,
    destroy: () => q.destroy(),
  };
}
