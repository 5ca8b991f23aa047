import type { scalar } from "@unroll/ir";
import type { FunctionBody } from "./function-body.js";
import { expOf, logOf, tanhOf } from "./simd-math.js";
import { f32x4, splat, v128, type Vec } from "./vec.js";

type ScalarExpr = scalar.ScalarExpr;
type ScalarFn = scalar.ScalarFn;

/** How each function of the IR's scalar language is computed on four float32 lanes. */
const renderers: { readonly [F in ScalarFn]: (body: FunctionBody, ...args: Vec[]) => Vec } = {
  add: (_, a, b) => f32x4.add(a, b),
  sub: (_, a, b) => f32x4.sub(a, b),
  mul: (_, a, b) => f32x4.mul(a, b),
  div: (_, a, b) => f32x4.div(a, b),
  neg: (_, a) => f32x4.neg(a),
  tanh: (body, a) => tanhOf(body, a),
  exp: (body, a) => expOf(body, a),
  log: (body, a) => logOf(body, a),
  abs: (_, a) => f32x4.abs(a),
  sqrt: (_, a) => f32x4.sqrt(a),
  // wasm's f32x4.max and min return NaN when either lane is NaN, as Math.max and Math.min do
  max: (_, a, b) => f32x4.max(a, b),
  min: (_, a, b) => f32x4.min(a, b),
  // the all-ones mask of a > b, and-ed with the bits of 1.0
  gt: (_, a, b) => v128.and(f32x4.gt(a, b), splat(1)),
  // c ≠ 0 is true for NaN too, as the IR asks
  select: (_, c, a, b) => v128.select(a, b, f32x4.ne(c, splat(0))),
};

/**
 * The SIMD value of an elementwise op's expression (the IR's `scalar.ScalarExpr`)
 * on four lanes, with `operand(k)` for operand `k`. Every step rounds to
 * float32, as a float32 kernel per step would; exp, log and tanh are inlined.
 * Code that must run once per use (the bound locals of exp, log and tanh) is
 * emitted when the returned value is.
 */
export function renderSimd(expr: ScalarExpr, operand: (k: number) => Vec): Vec {
  if ("input" in expr) return operand(expr.input);
  if ("const" in expr) return splat(expr.const);
  const args = expr.args.map((a) => renderSimd(a, operand));
  const render = renderers[expr.fn];
  return (body) => render(body, ...args)(body);
}
