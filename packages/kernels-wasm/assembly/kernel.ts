import { madd, storeVec } from "./simd";

/** Rows of the register tile (A panels are MR wide). */
export const MR: i32 = 4;
/** Columns of the register tile (B panels are NR wide). */
export const NR: i32 = 8;

/**
 * The 4×8 micro-kernel: C[0:4, 0:8] = alpha · Apanel · Bpanel + beta · C over kc steps.
 * `pa` holds A as 4-float columns (pa[p*4 + r]), `pb` holds B as 8-float rows (pb[p*8 + j]);
 * `ldc` is C's row stride in bytes. 8 accumulators + 2 B vectors + 1 A splat fit V8's 15
 * usable xmm registers. Kept a separate function (never inlined) so V8 tiers it up to
 * TurboFan during the first large call: there is no on-stack replacement for wasm.
 */
export function kernel(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, alpha: f32, beta: f32): void {
  let c00 = f32x4.splat(0);
  let c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  storeVec(c, c00, alpha, beta);
  storeVec(c + 16, c01, alpha, beta);
  c += ldc;
  storeVec(c, c10, alpha, beta);
  storeVec(c + 16, c11, alpha, beta);
  c += ldc;
  storeVec(c, c20, alpha, beta);
  storeVec(c + 16, c21, alpha, beta);
  c += ldc;
  storeVec(c, c30, alpha, beta);
  storeVec(c + 16, c31, alpha, beta);
}
