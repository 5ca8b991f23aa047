// Float32 GEMM for row-major operands in linear memory:
//   C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C
// Goto/BLIS blocking around one 4×8 micro-kernel; NN, NT, TN (and TT) differ only in packing.
// All pointers are byte offsets; leading dimensions are in elements.

import { kernel, MR, NR } from "./kernel";
import { packContig, packRows } from "./pack";
import { rowTimesB, rowTimesBt } from "./gemv";
import { flush1, storeOne } from "./simd";

/** `flags` bit: A is stored k×m and used transposed. */
const TRANS_A: i32 = 1;
/** `flags` bit: B is stored n×k and used transposed. */
const TRANS_B: i32 = 2;

// Blocking: a KC×NR sliver of B (8 KiB) stays in L1 while the MC×KC block of A (128 KiB)
// sits in L2; the KC×NC block of B is streamed from L3.
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 4096;

// Workspace layout in bytes from `ws` (64-byte aligned by the caller).
const PA_OFF: usize = 0;
const TILE_OFF: usize = PA_OFF + (<usize>(MC * KC) << 2);
const ROW_OFF: usize = TILE_OFF + (<usize>(MR * NR) << 2);
const PB_OFF: usize = ROW_OFF + (<usize>(3 * KC) << 2);
const WS_END: usize = PB_OFF + (<usize>(KC * NC) << 2);

/** Bytes of workspace `gemm` needs at `ws` (fixed: blocking bounds it for any size). */
export function workspaceBytes(): usize {
  return WS_END;
}

/** C = alpha · op(A) · op(B) + beta · C; beta = 0 never reads C. `ws` points at `workspaceBytes()` bytes. */
export function gemm(
  flags: i32, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  alpha: f32, beta: f32, ws: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    scale(m, n, c, ldc, beta);
    return;
  }
  if (m < MR) {
    smallM(flags, m, n, k, a, lda, b, ldb, c, ldc, alpha, beta, ws);
    return;
  }
  const pa = ws + PA_OFF;
  const pb = ws + PB_OFF;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      // later k blocks add onto the first one's result
      const bet: f32 = pc == 0 ? beta : 1;
      packB(flags & TRANS_B, b, ldb, pc, jc, kc, nc, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(flags & TRANS_A, a, lda, ic, pc, mc, kc, pa);
        macro(mc, nc, kc, pa, pb, c + ((<usize>ic * ldc + jc) << 2), ldc, alpha, bet, ws + TILE_OFF);
      }
    }
  }
}

/** Packs op(A)[i0:i0+mc, p0:p0+kc] into MR-row panels. */
function packA(trans: i32, a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  const stride = <usize>lda << 2;
  for (let i = 0; i < mc; i += MR) {
    const w = min(MR, mc - i);
    const d = dst + (<usize>i * kc << 2);
    if (trans) packContig(d, a + ((<usize>p0 * lda + i0 + i) << 2), stride, kc, w, MR);
    else packRows(d, a + ((<usize>(i0 + i) * lda + p0) << 2), stride, kc, w, MR);
  }
}

/** Packs op(B)[p0:p0+kc, j0:j0+nc] into NR-column panels. */
function packB(trans: i32, b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  const stride = <usize>ldb << 2;
  for (let j = 0; j < nc; j += NR) {
    const w = min(NR, nc - j);
    const d = dst + (<usize>j * kc << 2);
    if (trans) packRows(d, b + ((<usize>(j0 + j) * ldb + p0) << 2), stride, kc, w, NR);
    else packContig(d, b + ((<usize>p0 * ldb + j0 + j) << 2), stride, kc, w, NR);
  }
}

/** Runs the micro-kernel over an mc×nc block; edge tiles go through a scratch tile. */
function macro(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, alpha: f32, beta: f32, tile: usize): void {
  const ldcBytes = <usize>ldc << 2;
  for (let j = 0; j < nc; j += NR) {
    const nr = min(NR, nc - j);
    const pbj = pb + (<usize>j * kc << 2);
    for (let i = 0; i < mc; i += MR) {
      const mr = min(MR, mc - i);
      const pai = pa + (<usize>i * kc << 2);
      const cij = c + ((<usize>i * ldc + j) << 2);
      if (mr == MR && nr == NR) {
        kernel(kc, pai, pbj, cij, ldcBytes, alpha, beta);
      } else {
        kernel(kc, pai, pbj, tile, <usize>NR << 2, 1, 0);
        for (let r = 0; r < mr; r++) {
          for (let q = 0; q < nr; q++) {
            storeOne(cij + <usize>r * ldcBytes + (<usize>q << 2), load<f32>(tile + (<usize>(r * NR + q) << 2)), alpha, beta);
          }
        }
      }
    }
  }
}

/** M < 4: gathers each KC chunk of op(A)'s rows (flushed), then runs them against B in place. */
function smallM(
  flags: i32, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  alpha: f32, beta: f32, ws: usize,
): void {
  const rows = ws + ROW_OFF;
  const ldbBytes = <usize>ldb << 2;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const bet: f32 = pc == 0 ? beta : 1;
    for (let i = 0; i < m; i++) {
      const r = rows + (<usize>i * kc << 2);
      for (let p = 0; p < kc; p++) {
        const at = flags & TRANS_A ? <usize>(pc + p) * lda + i : <usize>i * lda + pc + p;
        store<f32>(r + (<usize>p << 2), flush1(load<f32>(a + (at << 2))));
      }
      const ci = c + (<usize>i * ldc << 2);
      if (flags & TRANS_B) rowTimesBt(kc, n, r, b + (<usize>pc << 2), ldbBytes, ci, alpha, bet);
      else rowTimesB(kc, n, r, b + <usize>pc * ldbBytes, ldbBytes, ci, alpha, bet);
    }
  }
}

/** C = beta · C (the k = 0 product). */
function scale(m: i32, n: i32, c: usize, ldc: i32, beta: f32): void {
  if (beta == 1) return;
  for (let i = 0; i < m; i++) {
    const ci = c + (<usize>i * ldc << 2);
    for (let j = 0; j < n; j++) storeOne(ci + (<usize>j << 2), 0, 1, beta);
  }
}
