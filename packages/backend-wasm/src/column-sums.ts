import type { LinearMemory } from "./linear-memory.js";
import { gemm, type MatmulContext } from "./wasm-matmul.js";
import type { WasmBuf } from "./wasm-buf.js";

/**
 * `sumTo` that sums leading axes away (a bias gradient: `[T·B, H]` to `[H]`)
 * as a product `ones[1×R] · X[R×N]` on the GEMM, whose one-row path reads X
 * in place with SIMD and splits N across the team. Keeps one vector of ones,
 * grown to the longest R asked for.
 */
export class ColumnSums {
  private ones: WasmBuf | undefined;

  constructor(private readonly memory: LinearMemory) {}

  /** Computes `out = sumTo(x)` when that is column sums in float32, and says whether it was. */
  run(ctx: MatmulContext, x: WasmBuf, out: WasmBuf): boolean {
    if (x.dtype !== "float32") return false;
    const kept = out.shape.slice(out.shape.findIndex((d) => d !== 1));
    if (out.shape.every((d) => d === 1)) kept.length = 0;
    const off = x.shape.length - kept.length;
    if (off < 0 || !kept.every((d, i) => d === x.shape[off + i])) return false;
    const n = out.size;
    const rows = n === 0 ? 0 : x.size / n;
    const ones = this.onesOf(rows);
    gemm(ctx, 0, 1, n, rows, ones.byteOffset, rows, x.byteOffset, n, out.byteOffset, `a sum of ${rows} rows of ${n}`);
    return true;
  }

  private onesOf(length: number): WasmBuf {
    if (!this.ones || this.ones.size < length) {
      if (this.ones) this.memory.release(this.ones);
      this.ones = this.memory.alloc([Math.max(length, 1024)], "float32");
      this.memory.view(this.ones).fill(1);
    }
    return this.ones;
  }
}
