import type { scalar } from "@unroll/ir";

type ScalarExpr = scalar.ScalarExpr;
type ScalarFn = scalar.ScalarFn;

/** WGSL helpers the rendered expressions call, with JavaScript's NaN rules where WGSL leaves them open. */
export const SCALAR_HELPERS = /* wgsl */ `
// tanh of large |x| overflows exp inside some drivers' tanh: it is ±1 in float32 past 15
fn s_tanh(x: f32) -> f32 { if (is_nan(x)) { return x; } return tanh(clamp(x, -15.0, 15.0)); }
// WGSL leaves log and sqrt of negative numbers (and log 0) open: JavaScript's NaN and -Infinity, for the NaN checks
fn s_log(x: f32) -> f32 { if (x < 0.0 || is_nan(x)) { return from_bits(0x7fc00000u); } if (x == 0.0) { return from_bits(0xff800000u); } return log(x); }
fn s_sqrt(x: f32) -> f32 { if (x < 0.0 || is_nan(x)) { return from_bits(0x7fc00000u); } return sqrt(x); }
fn s_max(a: f32, b: f32) -> f32 { if (is_nan(a) || is_nan(b)) { return a + b; } return max(a, b); }
fn s_min(a: f32, b: f32) -> f32 { if (is_nan(a) || is_nan(b)) { return a + b; } return min(a, b); }
fn s_gt(a: f32, b: f32) -> f32 { return select(0.0, 1.0, a > b); }
fn s_select(c: f32, a: f32, b: f32) -> f32 { return select(b, a, c != 0.0 || is_nan(c)); }
`;

const infix = (op: string) => (a: string, b: string) => `(${a} ${op} ${b})`;
const fn1 = (name: string) => (a: string) => `${name}(${a})`;

const renderers: { readonly [F in ScalarFn]: (...args: string[]) => string } = {
  add: infix("+"),
  sub: infix("-"),
  mul: infix("*"),
  div: infix("/"),
  neg: (a) => `(-${a})`,
  tanh: fn1("s_tanh"),
  exp: fn1("exp"),
  log: fn1("s_log"),
  abs: fn1("abs"),
  sqrt: fn1("s_sqrt"),
  max: (a, b) => `s_max(${a}, ${b})`,
  min: (a, b) => `s_min(${a}, ${b})`,
  gt: (a, b) => `s_gt(${a}, ${b})`,
  select: (c, a, b) => `s_select(${c}, ${a}, ${b})`,
};

/** A float32 literal of WGSL for `c` (infinities and NaN by their bits). */
export function wgslConst(c: number): string {
  if (Number.isNaN(c)) return "from_bits(0x7fc00000u)";
  if (c === Infinity) return "from_bits(0x7f800000u)";
  if (c === -Infinity) return "from_bits(0xff800000u)";
  const bits = new Uint32Array(new Float32Array([c]).buffer)[0];
  return `bitcast<f32>(0x${bits.toString(16)}u)`;
}

/** WGSL source of an elementwise op's expression (the IR's `scalar.ScalarExpr`), with `operand(k)` for operand `k`. */
export function renderWgsl(expr: ScalarExpr, operand: (k: number) => string): string {
  if ("input" in expr) return operand(expr.input);
  if ("const" in expr) return wgslConst(expr.const);
  return renderers[expr.fn](...expr.args.map((a) => renderWgsl(a, operand)));
}
