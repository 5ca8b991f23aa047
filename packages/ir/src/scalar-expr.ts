/**
 * A tiny, backend-neutral language for what an elementwise op computes on one
 * element: plain data that a backend renders to its own source (JavaScript for
 * the CPU's fused loops, WGSL later) and that {@link evalScalar} evaluates.
 */
export type ScalarExpr = ScalarInput | ScalarConst | ScalarCall;

/** Operand `k` of the op, one element of its `k`-th input. */
export interface ScalarInput {
  /** The index of the operand. */
  readonly input: number;
}

/** A number. */
export interface ScalarConst {
  /** Its value. */
  readonly const: number;
}

/** A function of scalar arguments; see {@link ScalarFn}. */
export interface ScalarCall {
  /** The function. */
  readonly fn: ScalarFn;
  /** Its arguments, as many as the function takes. */
  readonly args: readonly ScalarExpr[];
}

/**
 * The functions of the language, all on IEEE doubles as JavaScript computes them:
 * `add`, `sub`, `mul`, `div` (`a ∘ b`), `neg` (`-a`), `tanh`, `exp`, `log`, `abs`, `sqrt`,
 * `max`, `min` (as `Math.max`/`Math.min`, NaN wins), `gt` (1 when `a > b`, else 0)
 * and `select` (`b` when `c ≠ 0`, else `d`; NaN counts as nonzero).
 */
export type ScalarFn = "add" | "sub" | "mul" | "div" | "neg" | "tanh" | "exp" | "log" | "abs" | "sqrt" | "max" | "min" | "gt" | "select";

/** A number or an expression, where an expression is expected. */
export type ScalarArg = ScalarExpr | number;

/** What an elementwise op computes from its operands' elements (one expression per operand). */
export type ElementwiseRule = (...operands: ScalarExpr[]) => ScalarExpr;

const evaluators: { readonly [F in ScalarFn]: (...args: number[]) => number } = {
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  div: (a: number, b: number) => a / b,
  neg: (a: number) => -a,
  tanh: (a: number) => Math.tanh(a),
  exp: (a: number) => Math.exp(a),
  log: (a: number) => Math.log(a),
  abs: (a: number) => Math.abs(a),
  sqrt: (a: number) => Math.sqrt(a),
  max: (a: number, b: number) => Math.max(a, b),
  min: (a: number, b: number) => Math.min(a, b),
  gt: (a: number, b: number) => (a > b ? 1 : 0),
  select: (c: number, a: number, b: number) => (c !== 0 ? a : b),
};

const call = (fn: ScalarFn, args: readonly ScalarArg[]): ScalarCall => ({
  fn,
  args: args.map((a) => (typeof a === "number" ? { const: a } : a)),
});

/** Operand `k`. */
export const input = (k: number): ScalarInput => ({ input: k });
/** `a + b`. */
export const add = (a: ScalarArg, b: ScalarArg): ScalarExpr => call("add", [a, b]);
/** `a - b`. */
export const sub = (a: ScalarArg, b: ScalarArg): ScalarExpr => call("sub", [a, b]);
/** `a * b`. */
export const mul = (a: ScalarArg, b: ScalarArg): ScalarExpr => call("mul", [a, b]);
/** `a / b`. */
export const div = (a: ScalarArg, b: ScalarArg): ScalarExpr => call("div", [a, b]);
/** `-a`. */
export const neg = (a: ScalarArg): ScalarExpr => call("neg", [a]);
/** Hyperbolic tangent. */
export const tanh = (a: ScalarArg): ScalarExpr => call("tanh", [a]);
/** `e^a`. */
export const exp = (a: ScalarArg): ScalarExpr => call("exp", [a]);
/** Natural logarithm. */
export const log = (a: ScalarArg): ScalarExpr => call("log", [a]);
/** `|a|`. */
export const abs = (a: ScalarArg): ScalarExpr => call("abs", [a]);
/** Square root (NaN below 0). */
export const sqrt = (a: ScalarArg): ScalarExpr => call("sqrt", [a]);
/** The larger of `a` and `b` (NaN if either is). */
export const max = (a: ScalarArg, b: ScalarArg): ScalarExpr => call("max", [a, b]);
/** The smaller of `a` and `b` (NaN if either is). */
export const min = (a: ScalarArg, b: ScalarArg): ScalarExpr => call("min", [a, b]);
/** 1 where `a > b`, else 0. */
export const gt = (a: ScalarArg, b: ScalarArg): ScalarExpr => call("gt", [a, b]);
/** `a` where `c ≠ 0`, else `b`. */
export const select = (c: ScalarArg, a: ScalarArg, b: ScalarArg): ScalarExpr => call("select", [c, a, b]);

/** The number of arguments each function takes. */
export const scalarArity: { readonly [F in ScalarFn]: number } = Object.fromEntries(Object.entries(evaluators).map(([fn, f]) => [fn, f.length])) as {
  [F in ScalarFn]: number;
};

/** Evaluates an expression in float64, with `inputs[k]` for operand `k`: the same numbers as {@link renderJs}'s code. */
export function evalScalar(expr: ScalarExpr, inputs: readonly number[]): number {
  if ("input" in expr) return inputs[expr.input];
  if ("const" in expr) return expr.const;
  return evaluators[expr.fn](...expr.args.map((a) => evalScalar(a, inputs)));
}

/** JavaScript source of a part, and whether it can stand as an operand without parentheses. */
interface Js {
  readonly text: string;
  readonly primary: boolean;
}

const wrap = (p: Js): string => (p.primary ? p.text : `(${p.text})`);
const infix =
  (op: string) =>
  (a: Js, b: Js): Js => ({ text: `${wrap(a)} ${op} ${wrap(b)}`, primary: false });
const method =
  (name: string) =>
  (...args: Js[]): Js => ({ text: `Math.${name}(${args.map((a) => a.text).join(", ")})`, primary: true });

const jsRenderers: { readonly [F in ScalarFn]: (...args: Js[]) => Js } = {
  add: infix("+"),
  sub: infix("-"),
  mul: infix("*"),
  div: infix("/"),
  neg: (a) => ({ text: `-${wrap(a)}`, primary: false }),
  tanh: method("tanh"),
  exp: method("exp"),
  log: method("log"),
  abs: method("abs"),
  sqrt: method("sqrt"),
  max: method("max"),
  min: method("min"),
  gt: (a, b) => ({ text: `(${wrap(a)} > ${wrap(b)} ? 1 : 0)`, primary: true }),
  select: (c, a, b) => ({ text: `(${wrap(c)} !== 0 ? ${wrap(a)} : ${wrap(b)})`, primary: true }),
};

function constJs(c: number): Js {
  const text = Object.is(c, -0) ? "-0" : String(c);
  return { text, primary: !text.startsWith("-") };
}

function toJs(expr: ScalarExpr, operand: (k: number) => string): Js {
  if ("input" in expr) return { text: operand(expr.input), primary: true };
  if ("const" in expr) return constJs(expr.const);
  // `select(gt(a, b), x, y)` as `(a > b ? x : y)`: the same value, one comparison
  if (expr.fn === "select" && "fn" in expr.args[0] && expr.args[0].fn === "gt") {
    const [a, b] = expr.args[0].args.map((e) => toJs(e, operand));
    const [x, y] = expr.args.slice(1).map((e) => toJs(e, operand));
    return { text: `(${wrap(a)} > ${wrap(b)} ? ${wrap(x)} : ${wrap(y)})`, primary: true };
  }
  return jsRenderers[expr.fn](...expr.args.map((e) => toJs(e, operand)));
}

/**
 * JavaScript source computing an expression in float64, with `operand(k)` for
 * operand `k`, which must be a primary expression (an identifier or `a[i]`).
 * Operands are rendered left to right, and every arithmetic step is the one
 * {@link evalScalar} performs, so the code gives the same bits.
 */
export function renderJs(expr: ScalarExpr, operand: (k: number) => string): string {
  return toJs(expr, operand).text;
}
