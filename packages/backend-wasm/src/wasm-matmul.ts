import type { GemmExports } from "@unroll/kernels-wasm";
import type { NodeOf } from "@unroll/ir";
import type { ThreadTeam } from "./threads/thread-team.js";
import type { WasmBuf } from "./wasm-buf.js";

/** What a float32 matrix product runs with. */
export interface MatmulContext {
  /** The lead thread's GEMM instance. */
  readonly gemm: GemmExports;
  /** Byte offset of each thread's packing workspace, the lead's first. */
  readonly workspaces: readonly number[];
  /** The workers, when there are any and they are healthy. */
  readonly team: ThreadTeam | undefined;
  /** Products of fewer flops (2·m·n·k) run on the lead alone. */
  readonly parallelMinFlops: number;
}

/** Rows per thread: the split of M goes in whole 4-row register tiles, of N in 8-column ones. */
const MR = 4;
const NR = 8;

/**
 * `out = op(a)·op(b)` in float32 on the GEMM, in place in the memory (no
 * transposes materialized). A product of at least `parallelMinFlops` is split
 * across the team: along M when there are enough rows for every thread to
 * pack its own block of A (the hoisted input projections, the weight
 * gradients), else along N, where each thread packs only its part of B (the
 * recurrent product of one step, M = batch).
 */
export function runMatmul(ctx: MatmulContext, node: NodeOf<"matmul">, a: WasmBuf, b: WasmBuf, out: WasmBuf): void {
  const tA = node.attrs?.transposeA ?? false;
  const tB = node.attrs?.transposeB ?? false;
  // the matrix views: leading axes of a are rows (or, transposed, contracted)
  const n = out.shape[out.shape.length - 1];
  const m = n === 0 ? 0 : out.size / n;
  const lastA = a.shape[a.shape.length - 1];
  const k = tA ? (lastA === 0 ? 0 : a.size / lastA) : lastA;
  const flags = (tA ? 1 : 0) | (tB ? 2 : 0);
  gemm(ctx, flags, m, n, k, a.byteOffset, tA ? m : k, b.byteOffset, tB ? k : n, out.byteOffset, `a ${m}×${k}·${k}×${n} matrix product`);
}

/**
 * `c = op(a)·op(b)` on byte offsets (the GEMM module's arguments, `c` row-major with `n`
 * columns), split across the team as {@link runMatmul} says; `what` names it in errors.
 */
export function gemm(
  ctx: MatmulContext,
  flags: number,
  m: number,
  n: number,
  k: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  c: number,
  what: string,
): void {
  const tA = (flags & 1) !== 0;
  const tB = (flags & 2) !== 0;
  const team = ctx.team;
  const threads = team?.size ?? 1;
  if (!team || 2 * m * n * k < ctx.parallelMinFlops || threads < 2) {
    ctx.gemm.gemm(flags, m, n, k, a, lda, b, ldb, c, n, 1, 0, ctx.workspaces[0]);
    return;
  }
  const byRows = m >= 64 * threads;
  const unit = byRows ? MR : NR;
  const extent = byRows ? m : n;
  const per = Math.ceil(Math.ceil(extent / threads) / unit) * unit;
  const parts: number[][] = [];
  for (let from = 0; from < extent; from += per) {
    const len = Math.min(per, extent - from);
    if (byRows) {
      // rows [from, from + len) of op(A) and of C
      parts.push([flags, len, n, k, a + 4 * (tA ? from : from * lda), lda, b, ldb, c + 4 * from * n, n]);
    } else {
      // columns [from, from + len) of op(B) and of C
      parts.push([flags, m, len, k, a, lda, b + 4 * (tB ? from * ldb : from), ldb, c + 4 * from, n]);
    }
  }
  const workers: number[] = [];
  for (let w = 1; w < parts.length; w++) {
    team.postGemm(w, parts[w], 1, 0, ctx.workspaces[w]);
    workers.push(w);
  }
  const [f, pm, pn, pk, pa, plda, pb, pldb, pc, pldc] = parts[0];
  ctx.gemm.gemm(f, pm, pn, pk, pa, plda, pb, pldb, pc, pldc, 1, 0, ctx.workspaces[0]);
  team.join(workers, what);
}
