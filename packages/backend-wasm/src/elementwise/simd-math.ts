import type { FunctionBody } from "./function-body.js";
import { bind, bits, f32x4, horner, i32x4, splat, v128, type Vec } from "./vec.js";

// exp, log and tanh of four float32 lanes, inlined where they are used: Cephes' expf, logf and tanhf
// (S. L. Moshier, Cephes Math Library), range reduction and a polynomial, with the special values by masks.

const LOG2E = 1.4426950408889634;
// ln 2 in two parts: the high part has few bits, so n·LN2_HI is exact for the n that occur (Cody and Waite)
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
/** Cephes expf: e^r ≈ 1 + r + r²·P(r) on |r| ≤ ln2/2. */
const EXP_P = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
/** Past these e^x is +Infinity or 0 in float32 anyway; clamping keeps 2^n's exponent in range. */
const EXP_HI = 89;
const EXP_LO = -104;

const F32_EXPONENT_BIAS = 127;
const F32_MANTISSA_BITS = 23;

/** 2^n for integer lanes -126 ≤ n ≤ 127, by the exponent bits. */
const pow2 = (n: Vec): Vec => i32x4.shl(i32x4.add(n, bits(F32_EXPONENT_BIAS)), F32_MANTISSA_BITS);

/** e^x: +Infinity past ~88.72, 0 below ~-103.97 (through the subnormals), NaN for NaN. */
export function expOf(body: FunctionBody, x: Vec): Vec {
  // max and min keep NaN, which then flows through every step
  const xc = bind(body, f32x4.min(f32x4.max(x, splat(EXP_LO)), splat(EXP_HI)));
  const n = bind(body, f32x4.nearest(f32x4.mul(xc, splat(LOG2E))));
  // r = x - n·ln2, |r| ≤ ln2/2
  const r = bind(body, f32x4.sub(f32x4.sub(xc, f32x4.mul(n, splat(LN2_HI))), f32x4.mul(n, splat(LN2_LO))));
  const p = f32x4.add(f32x4.add(f32x4.mul(horner(r, EXP_P), f32x4.mul(r, r)), r), splat(1));
  // 2^n as 2^(n>>1)·2^(n-(n>>1)): both factors are normal for -150 ≤ n ≤ 129, and the last product rounds once
  const ni = bind(body, i32x4.truncF32(n));
  const half = bind(body, i32x4.shrS(ni, 1));
  return f32x4.mul(f32x4.mul(p, pow2(half)), pow2(i32x4.sub(ni, half)));
}

const SQRT_HALF = Math.SQRT1_2;
/** Cephes logf: log(1+x) ≈ x - x²/2 + x³·Q(x) on √½-1 ≤ x < √2-1. */
const LOG_Q = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
];
const MIN_NORMAL = 2 ** -126;
const MANTISSA_MASK = 0x007fffff;
const HALF_BITS = 0x3f000000;

/** Natural logarithm: -Infinity at ±0, NaN below 0 and for NaN, +Infinity at +Infinity; subnormals are exact inputs. */
export function logOf(body: FunctionBody, x: Vec): Vec {
  const xv = bind(body, x);
  // a subnormal times 2^23 is normal, so its exponent bits tell its magnitude
  const tiny = bind(body, f32x4.lt(xv, splat(MIN_NORMAL)));
  const xs = bind(body, v128.select(f32x4.mul(xv, splat(2 ** F32_MANTISSA_BITS)), xv, tiny));
  // frexp: x = m·2^e with 0.5 ≤ m < 1
  const e0 = i32x4.sub(v128.and(i32x4.shrU(xs, F32_MANTISSA_BITS), bits(0xff)), bits(F32_EXPONENT_BIAS - 1));
  const e1 = i32x4.sub(e0, v128.and(tiny, bits(F32_MANTISSA_BITS)));
  const m = bind(body, v128.or(v128.and(xs, bits(MANTISSA_MASK)), bits(HALF_BITS)));
  // below √½ take 2m and e-1, so that t = m - 1 lies in [√½-1, √2-1); the mask is -1 where it applies
  const low = bind(body, f32x4.lt(m, splat(SQRT_HALF)));
  const e = bind(body, f32x4.fromI32(i32x4.add(e1, low)));
  const t = bind(body, f32x4.sub(f32x4.add(m, v128.and(low, m)), splat(1)));
  const t2 = bind(body, f32x4.mul(t, t));
  let y = f32x4.mul(f32x4.mul(horner(t, LOG_Q), t), t2);
  y = f32x4.add(y, f32x4.mul(e, splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(t2, splat(0.5)));
  let r = f32x4.add(f32x4.add(t, y), f32x4.mul(e, splat(LN2_HI)));
  r = v128.select(splat(-Infinity), r, f32x4.eq(xv, splat(0)));
  // not (x ≥ 0): the negatives and NaN
  r = v128.select(splat(NaN), r, v128.not(f32x4.ge(xv, splat(0))));
  return v128.select(splat(Infinity), r, f32x4.eq(xv, splat(Infinity)));
}

/** Cephes tanhf: tanh x ≈ x + x³·T(x²) for |x| < 0.625. */
const TANH_T = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];
const TANH_SMALL = 0.625;
const SIGN_BIT = 0x80000000;

/** Hyperbolic tangent: ±1 for large |x| (e^(2|x|) overflows to +Infinity there), the sign of x (tanh(-0) = -0), NaN for NaN. */
export function tanhOf(body: FunctionBody, x: Vec): Vec {
  const xv = bind(body, x);
  const z = bind(body, f32x4.abs(xv));
  // small |x|: the odd polynomial keeps the relative accuracy near 0
  const z2 = bind(body, f32x4.mul(z, z));
  const small = f32x4.add(f32x4.mul(f32x4.mul(horner(z2, TANH_T), z2), z), z);
  // otherwise 1 - 2/(e^(2|x|) + 1)
  const e2z = expOf(body, f32x4.add(z, z));
  const large = f32x4.sub(splat(1), f32x4.div(splat(2), f32x4.add(e2z, splat(1))));
  const magnitude = v128.select(large, small, f32x4.ge(z, splat(TANH_SMALL)));
  // the sign bit of x on |tanh x|
  return v128.select(xv, magnitude, bits(SIGN_BIT));
}
