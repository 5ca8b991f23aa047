import type { Gemm } from "@unroll/kernels-wasm";
import type { Kernel } from "@unroll/kernels-cpu";

/** Below this many multiply-adds the copy into WebAssembly memory costs more than the product saves. */
const WASM_MIN_WORK = 2048;

/**
 * The matmul kernel on a WebAssembly SIMD GEMM for float32 (register-tiled, no
 * transposes materialized); float64 and tiny products fall back to `reference`.
 */
export function wasmMatmul(gemm: Gemm, reference: Kernel<"matmul">): Kernel<"matmul"> {
  return (node, inputs, out) => {
    const [a, b] = inputs;
    if (!(out.data instanceof Float32Array && a.data instanceof Float32Array && b.data instanceof Float32Array)) {
      return reference(node, inputs, out);
    }
    const transposeA = node.attrs?.transposeA ?? false;
    const transposeB = node.attrs?.transposeB ?? false;
    // the matrix views: leading axes of a are rows (or, transposed, contracted)
    const n = out.shape[out.shape.length - 1];
    const m = out.data.length / n;
    const lastA = a.shape[a.shape.length - 1];
    const k = transposeA ? a.data.length / lastA : lastA;
    if (m * n * k < WASM_MIN_WORK) return reference(node, inputs, out);
    gemm.matmul(a.data, b.data, out.data, m, n, k, { transposeA, transposeB });
  };
}
