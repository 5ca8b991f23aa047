import { flush4, madd, storeOne, storeVec } from "./simd";

// The M < 4 path: no packing (it would cost more than it saves at batch 1), one output row
// at a time against B in place. B is flushed on the fly, so denormals stay out of the
// multipliers here too; the row of op(A) arrives flushed from the caller's gather.

/** c[j] = alpha · Σ_p r[p]·B[p, j] + beta · c[j], B row-major with `ldb` bytes per row (NN). */
export function rowTimesB(kc: i32, n: i32, r: usize, b: usize, ldb: usize, c: usize, alpha: f32, beta: f32): void {
  let j = 0;
  for (; j + 16 <= n; j += 16) {
    let s0 = f32x4.splat(0);
    let s1 = s0, s2 = s0, s3 = s0;
    let bp = b + (<usize>j << 2);
    for (let p = 0; p < kc; p++) {
      const a = v128.load32_splat(r + (<usize>p << 2));
      s0 = madd(a, flush4(v128.load(bp)), s0);
      s1 = madd(a, flush4(v128.load(bp, 16)), s1);
      s2 = madd(a, flush4(v128.load(bp, 32)), s2);
      s3 = madd(a, flush4(v128.load(bp, 48)), s3);
      bp += ldb;
    }
    const cj = c + (<usize>j << 2);
    storeVec(cj, s0, alpha, beta);
    storeVec(cj + 16, s1, alpha, beta);
    storeVec(cj + 32, s2, alpha, beta);
    storeVec(cj + 48, s3, alpha, beta);
  }
  for (; j + 4 <= n; j += 4) {
    let s = f32x4.splat(0);
    let bp = b + (<usize>j << 2);
    for (let p = 0; p < kc; p++) {
      s = madd(v128.load32_splat(r + (<usize>p << 2)), flush4(v128.load(bp)), s);
      bp += ldb;
    }
    storeVec(c + (<usize>j << 2), s, alpha, beta);
  }
  for (; j < n; j++) {
    let s: f32 = 0;
    let bp = b + (<usize>j << 2);
    for (let p = 0; p < kc; p++) {
      s += load<f32>(r + (<usize>p << 2)) * f32x4.extract_lane(flush4(v128.load32_splat(bp)), 0);
      bp += ldb;
    }
    storeOne(c + (<usize>j << 2), s, alpha, beta);
  }
}

/** c[j] = alpha · Σ_p r[p]·B[j, p] + beta · c[j], B stored n×k with `ldb` bytes per row (NT). */
export function rowTimesBt(kc: i32, n: i32, r: usize, b: usize, ldb: usize, c: usize, alpha: f32, beta: f32): void {
  const kv = kc & ~3;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const b0 = b + <usize>j * ldb;
    const b1 = b0 + ldb;
    const b2 = b1 + ldb;
    const b3 = b2 + ldb;
    let s0 = f32x4.splat(0);
    let s1 = s0, s2 = s0, s3 = s0;
    for (let p = 0; p < kv; p += 4) {
      const o = <usize>p << 2;
      const a = v128.load(r + o);
      s0 = madd(a, flush4(v128.load(b0 + o)), s0);
      s1 = madd(a, flush4(v128.load(b1 + o)), s1);
      s2 = madd(a, flush4(v128.load(b2 + o)), s2);
      s3 = madd(a, flush4(v128.load(b3 + o)), s3);
    }
    for (let p = kv; p < kc; p++) {
      // the k % 4 tail, one lane per column
      const o = <usize>p << 2;
      const a = v128.load32_splat(r + o);
      s0 = madd(a, flush4(f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(b0 + o))), s0);
      s1 = madd(a, flush4(f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(b1 + o))), s1);
      s2 = madd(a, flush4(f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(b2 + o))), s2);
      s3 = madd(a, flush4(f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(b3 + o))), s3);
    }
    // horizontal sums of s0..s3 into one vector: transpose pairs, then add
    const u0 = f32x4.add(v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), v128.shuffle<f32>(s0, s1, 2, 6, 3, 7));
    const u1 = f32x4.add(v128.shuffle<f32>(s2, s3, 0, 4, 1, 5), v128.shuffle<f32>(s2, s3, 2, 6, 3, 7));
    const sum = f32x4.add(v128.shuffle<f32>(u0, u1, 0, 1, 4, 5), v128.shuffle<f32>(u0, u1, 2, 3, 6, 7));
    storeVec(c + (<usize>j << 2), sum, alpha, beta);
  }
  for (; j < n; j++) {
    const bj = b + <usize>j * ldb;
    let s = f32x4.splat(0);
    for (let p = 0; p < kv; p += 4) {
      const o = <usize>p << 2;
      s = madd(v128.load(r + o), flush4(v128.load(bj + o)), s);
    }
    let t = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
    for (let p = kv; p < kc; p++) {
      const o = <usize>p << 2;
      t += load<f32>(r + o) * f32x4.extract_lane(flush4(v128.load32_splat(bj + o)), 0);
    }
    storeOne(c + (<usize>j << 2), t, alpha, beta);
  }
}
