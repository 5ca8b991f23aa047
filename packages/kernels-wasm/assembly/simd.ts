// Shared v128 helpers. `ASC_FEATURE_RELAXED_SIMD` is a compile-time constant, so each
// build keeps exactly one branch of `madd`: one source, two binaries.

/** Flush threshold 2^-62: products of two unflushed values stay >= 2^-124, above f32's 2^-126 normal limit. */
export const TINY: f32 = 2.168404344971009e-19;

/** a·b + c per lane: one fused `vfmadd` in the relaxed build, mul + add in the plain one. */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

/** Zeroes lanes with |x| < TINY (denormals cost ~200× in the FMA units); NaN and ±Inf are kept. */
@inline export function flush4(v: v128): v128 {
  return v128.andnot(v, f32x4.lt(f32x4.abs(v), f32x4.splat(TINY)));
}

/** Scalar `flush4`. */
@inline export function flush1(x: f32): f32 {
  return abs<f32>(x) < TINY ? 0 : x;
}

/** Stores alpha·acc + beta·c at c; c is never read when beta is 0 (it may hold NaN). */
@inline export function storeVec(c: usize, acc: v128, alpha: f32, beta: f32): void {
  let r = f32x4.mul(acc, f32x4.splat(alpha));
  if (beta != 0) r = madd(f32x4.splat(beta), v128.load(c), r);
  v128.store(c, r);
}

/** Scalar `storeVec`. */
@inline export function storeOne(c: usize, x: f32, alpha: f32, beta: f32): void {
  let r = alpha * x;
  if (beta != 0) r += beta * load<f32>(c);
  store<f32>(c, r);
}
