import type { FunctionBody, Local } from "./function-body.js";
import { simd, type SimdOp } from "./opcodes.js";

/**
 * Code that leaves one v128 on the stack of the function being written: a
 * value of the generated SIMD code, composed like an expression
 * (`mul(x, splat(2))`) and emitted where it is used.
 */
export type Vec = (body: FunctionBody) => void;

const unary =
  (code: SimdOp) =>
  (a: Vec): Vec =>
  (body) => {
    a(body);
    body.simd(code);
  };
const binary =
  (code: SimdOp) =>
  (a: Vec, b: Vec): Vec =>
  (body) => {
    a(body);
    b(body);
    body.simd(code);
  };

/** The value of a v128 local. */
export const read =
  (l: Local): Vec =>
  (body) =>
    body.get(l);

/**
 * Evaluates `v` once into a fresh local, now, and gives the local: for a value used more than once.
 * (Emitting a `local.set` in the middle of an expression is valid: it pops only its own operand.)
 */
export function bind(body: FunctionBody, v: Vec): Vec {
  const l = body.local("v128");
  v(body);
  body.set(l);
  return read(l);
}

/** Four i32 lanes of the same bits. */
export const bits =
  (u: number): Vec =>
  (body) =>
    body.v128Const([u, u, u, u]);

const f32Bits = new Uint32Array(1);
const f32View = new Float32Array(f32Bits.buffer);

/** Four f32 lanes of `x` rounded to float32 (NaN and ±Infinity by their bits). */
export function splat(x: number): Vec {
  f32View[0] = x;
  return bits(f32Bits[0]);
}

/** f32x4 arithmetic, elementwise and IEEE-exact (min and max return NaN when either lane is NaN, and order -0 < +0). */
export const f32x4 = {
  add: binary(simd.f32x4Add),
  sub: binary(simd.f32x4Sub),
  mul: binary(simd.f32x4Mul),
  div: binary(simd.f32x4Div),
  min: binary(simd.f32x4Min),
  max: binary(simd.f32x4Max),
  neg: unary(simd.f32x4Neg),
  abs: unary(simd.f32x4Abs),
  sqrt: unary(simd.f32x4Sqrt),
  nearest: unary(simd.f32x4Nearest),
  /** Lanes of all ones where `a = b`, else zeros (so on for the comparisons below; NaN compares unequal). */
  eq: binary(simd.f32x4Eq),
  ne: binary(simd.f32x4Ne),
  lt: binary(simd.f32x4Lt),
  gt: binary(simd.f32x4Gt),
  ge: binary(simd.f32x4Ge),
  /** The i32 lanes as floats. */
  fromI32: unary(simd.f32x4ConvertI32x4S),
};

/** i32x4 arithmetic on the same 128 bits. */
export const i32x4 = {
  add: binary(simd.i32x4Add),
  sub: binary(simd.i32x4Sub),
  /** Lanes shifted left by `n` bits. */
  shl: (a: Vec, n: number): Vec => shift(simd.i32x4Shl, a, n),
  /** Lanes shifted right by `n` bits, keeping the sign. */
  shrS: (a: Vec, n: number): Vec => shift(simd.i32x4ShrS, a, n),
  /** Lanes shifted right by `n` bits, filling with zeros. */
  shrU: (a: Vec, n: number): Vec => shift(simd.i32x4ShrU, a, n),
  /** The f32 lanes truncated to integers, saturating (NaN to 0). */
  truncF32: unary(simd.i32x4TruncSatF32x4S),
};

function shift(code: SimdOp, a: Vec, n: number): Vec {
  return (body) => {
    a(body);
    body.i32(n).simd(code);
  };
}

/** Bitwise operations on 128 bits. */
export const v128 = {
  and: binary(simd.v128And),
  or: binary(simd.v128Or),
  not: unary(simd.v128Not),
  /** The bits of `a` where `mask` is 1, of `b` where it is 0. */
  select:
    (a: Vec, b: Vec, mask: Vec): Vec =>
    (body) => {
      a(body);
      b(body);
      mask(body);
      body.simd(simd.v128Bitselect);
    },
};

/** `c[0]·x^(n-1) + … + c[n-1]` by Horner's rule, in float32. */
export function horner(x: Vec, c: readonly number[]): Vec {
  let p = splat(c[0]);
  for (let k = 1; k < c.length; k++) p = f32x4.add(f32x4.mul(p, x), splat(c[k]));
  return p;
}
