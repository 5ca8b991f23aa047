import { dtypeOf, opKinds, type Node, type Tensor } from "@unroll/ir";
import { unfused, type Device, type Executable, type PrepareContext } from "@unroll/bptt";
import type { KernelTable } from "@unroll/kernels-cpu";
import type { ChainKernels } from "./chain-kernels.js";
import { ColumnSums } from "./column-sums.js";
import { concatRows, padRows, sliceRows } from "./row-copies.js";
import type { LinearMemory } from "./linear-memory.js";
import { runMatmul, type MatmulContext } from "./wasm-matmul.js";
import type { WasmBuf } from "./wasm-buf.js";

/** What {@link wasmDevice} computes with. */
export interface WasmDeviceParts {
  /** The one memory. */
  readonly memory: LinearMemory;
  /** The matrix products' GEMM, workspaces and threads (read at every product: the team may be replaced). */
  readonly matmul: () => MatmulContext;
  /** The elementwise kernels: chains compiled to WebAssembly SIMD, once per program. */
  readonly chains: ChainKernels;
  /** Kernels for what has no WebAssembly kernel (float64, and the ops that are not products or elementwise), run on views of the memory. */
  readonly kernels: KernelTable;
}

/**
 * The WebAssembly device: every tensor is a range of one memory, so `view`
 * is arithmetic and nothing is copied between kernels or threads; float32
 * products run on the SIMD GEMM, and chains of elementwise nodes on SIMD
 * kernels generated once per program, each split across threads when large.
 * The other kernels, and everything in float64, run the reference kernels
 * on typed-array views of the same memory.
 */
export function wasmDevice({ memory, matmul, chains, kernels }: WasmDeviceParts): Device<WasmBuf> {
  const tensor = (buf: WasmBuf): Tensor => ({ shape: buf.shape as number[], data: memory.view(buf) });
  const columnSums = new ColumnSums(memory);
  return {
    name: "wasm",
    capabilities: { dtypes: ["float32", "float64"], ops: opKinds },
    alloc: (shape, dtype) => memory.alloc(shape, dtype),
    upload(t) {
      const buf = memory.alloc(t.shape, dtypeOf(t.data));
      memory.view(buf).set(t.data);
      return buf;
    },
    read: (buf) => memory.copyOut(buf),
    view: (buf, offset, shape) => ({
      byteOffset: buf.byteOffset + offset * (buf.dtype === "float64" ? 8 : 4),
      size: shape.reduce((x, y) => x * y, 1),
      shape,
      dtype: buf.dtype,
    }),
    copy: (src, dst) => memory.bulk.copy(dst.byteOffset, src.byteOffset, src.size * (src.dtype === "float64" ? 8 : 4)),
    accumulate(dst, src) {
      if (dst.dtype === "float32") return chains.accumulate(dst, src);
      const d = memory.view(dst);
      const s = memory.view(src);
      for (let i = 0; i < d.length; i++) d[i] += s[i];
    },
    fill(buf, value) {
      if (value === 0 && !Object.is(value, -0)) memory.bulk.zero(buf.byteOffset, buf.size * (buf.dtype === "float64" ? 8 : 4));
      else memory.view(buf).fill(value);
    },
    prepare(nodes: readonly Node[], context: PrepareContext): readonly Executable[] {
      return context.dtype === "float32" ? chains.prepare(nodes, context) : unfused(nodes);
    },
    run(exe, inputs, out) {
      if (chains.run(exe, inputs, out)) return;
      const node = exe.nodes[0];
      if (node.op === "matmul" && out.dtype === "float32") {
        runMatmul(matmul(), node, inputs[0], inputs[1], out);
        return;
      }
      if (node.op === "sumTo" && columnSums.run(matmul(), inputs[0], out)) return;
      if (node.op === "slice") return sliceRows(memory.bulk, node, inputs[0], out);
      if (node.op === "pad") return padRows(memory.bulk, node, inputs[0], out);
      if (node.op === "concat") return concatRows(memory.bulk, inputs, out);
      (kernels[node.op] as (n: Node, i: readonly Tensor[], o: Tensor) => void)(node, inputs.map(tensor), tensor(out));
    },
    release: (buf) => memory.release(buf),
  };
}
