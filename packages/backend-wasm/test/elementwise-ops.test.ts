import { describe, expect, it } from "vitest";
import { elementwiseOf, opKinds, ops, scalar, type Node, type ScalarExpr, type ScalarFn } from "@unroll/ir";
import { instantiateChains, oneNodeChain } from "./chain-harness.js";
import { runExpr } from "./expr-harness.js";
import { evalFloat32, random, ulpDistance } from "./float32-reference.js";

/** Signed zeros, infinities, NaN, float32's extremes, exp's overflow and underflow edges, and plain numbers. */
const SPECIAL = [0, -0, 1, -1, 0.5, -2.5, 1e-8, -1e-30, 2 ** -149, -(2 ** -149), 2 ** -126, 20, -20, 88.72, 88.73, -103, -104, 3.4e38, -3.4e38];
SPECIAL.push(Infinity, -Infinity, NaN);

/** The special values and random ones of every magnitude, as float32. */
function samples(seed: number): number[] {
  const u = random(seed);
  const xs = [...SPECIAL];
  for (let k = 0; k < 40; k++) xs.push((u() - 0.5) * 12);
  for (let k = 0; k < 40; k++) xs.push((u() < 0.5 ? -1 : 1) * Math.exp((u() - 0.5) * 160));
  return xs.map(Math.fround);
}

/** Every combination of samples for `arity` operands (pairs for two, random triples with the specials for three). */
function operands(arity: number): Float32Array[] {
  const xs = samples(arity);
  if (arity === 1) return [Float32Array.from(xs)];
  const cols: number[][] = Array.from({ length: arity }, () => []);
  const u = random(7);
  for (const a of xs) {
    for (const b of xs) {
      cols[0].push(a);
      cols[1].push(b);
      if (arity === 3) cols[2].push(xs[Math.floor(u() * xs.length)]);
    }
  }
  return cols.map((c) => Float32Array.from(c));
}

/** The float32 reference of `expr` at element i of the operands. */
const reference = (expr: ScalarExpr, ins: readonly Float32Array[], i: number): number =>
  evalFloat32(
    expr,
    ins.map((x) => x[i]),
  );

/** The largest ulp distance from the reference, and where; exact ops must give 0 (bits equal, NaN for NaN). */
function worst(expr: ScalarExpr, ins: readonly Float32Array[], got: Float32Array, exactSigns: boolean): { ulp: number; at: string } {
  let ulp = 0;
  let at = "";
  got.forEach((y, i) => {
    const want = reference(expr, ins, i);
    // ulp distance treats -0 and +0 as equal: the exact ops must also agree on the sign of zero
    const d = exactSigns && y === 0 && want === 0 && !Object.is(y, want) ? Infinity : ulpDistance(y, want);
    if (d > ulp) [ulp, at] = [d, `(${ins.map((x) => x[i]).join(", ")}): got ${y}, want ${want}`];
  });
  return { ulp, at };
}

/** Functions computed by native f32x4 instructions (or masks), bit for bit. */
const EXACT: readonly ScalarFn[] = ["add", "sub", "mul", "div", "neg", "abs", "sqrt", "max", "min", "gt", "select"];
/** Ulps allowed from the correctly rounded float32 result (measured: see simd-math-accuracy.test.ts). */
const TRANSCENDENTAL: Partial<Record<ScalarFn, number>> = { exp: 1, log: 1, tanh: 2 };

describe("every function of the scalar language on four float32 lanes", () => {
  const fns = Object.keys(scalar.scalarArity) as ScalarFn[];

  it("covers every function", () => {
    expect([...EXACT, ...Object.keys(TRANSCENDENTAL)].sort()).toEqual([...fns].sort());
  });

  it.each(fns)("%s against evalScalar rounded to float32", (fn) => {
    const arity = scalar.scalarArity[fn];
    const expr: ScalarExpr = { fn, args: Array.from({ length: arity }, (_, k) => scalar.input(k)) };
    const ins = operands(arity);
    const { ulp, at } = worst(expr, ins, runExpr(expr, ins), EXACT.includes(fn));
    expect(ulp, at).toBeLessThanOrEqual(TRANSCENDENTAL[fn] ?? 0);
  });

  it("constants by their bits: NaN, ±Infinity, -0", () => {
    const x = Float32Array.from([1, -1]);
    for (const c of [NaN, Infinity, -Infinity, -0, 0.1, 3.4e38]) {
      const expr = scalar.add(scalar.mul(scalar.input(0), 0), c);
      const want = Float32Array.from(x, (v) => evalFloat32(expr, [v]));
      expect(Array.from(runExpr(expr, [x])), `constant ${c}`).toEqual(Array.from(want));
    }
  });

  it("exp, log and tanh at their special values", () => {
    const cases: [ScalarFn, number, number][] = [
      ["exp", NaN, NaN],
      ["exp", Infinity, Infinity],
      ["exp", -Infinity, 0],
      ["exp", 0, 1],
      ["exp", -0, 1],
      ["exp", 88.72, Math.fround(Math.exp(Math.fround(88.72)))],
      ["exp", 88.73, Infinity],
      ["exp", -104, 0],
      ["exp", 1, Math.fround(Math.E)],
      ["log", 0, -Infinity],
      ["log", -0, -Infinity],
      ["log", -1e-30, NaN],
      ["log", -Infinity, NaN],
      ["log", Infinity, Infinity],
      ["log", NaN, NaN],
      ["log", 1, 0],
      ["log", 2 ** -149, Math.fround(-149 * Math.LN2)],
      ["log", 3.4e38, Math.fround(Math.log(Math.fround(3.4e38)))],
      ["tanh", 0, 0],
      ["tanh", -0, -0],
      ["tanh", Infinity, 1],
      ["tanh", -Infinity, -1],
      ["tanh", 20, 1],
      ["tanh", -20, -1],
      ["tanh", NaN, NaN],
      ["tanh", 1e-30, Math.fround(1e-30)],
      ["tanh", -(2 ** -149), -(2 ** -149)],
    ];
    for (const [fn, x, want] of cases) {
      const [got] = runExpr({ fn, args: [scalar.input(0)] }, [Float32Array.of(x)]);
      expect(got, `${fn}(${x})`).toBe(want);
    }
  });
});

/** The IR's elementwise ops and how many operands each takes. */
const elementwiseOps = opKinds.filter((op) => ops[op].elementwise !== undefined).map((op) => [op, ops[op].elementwise!.length] as const);
/** Ops whose expression has exp, log or tanh, and the ulps allowed (sigmoid: exp's error through 1/(1 + e)). */
const APPROXIMATE: Partial<Record<Node["op"], number>> = { exp: 1, log: 1, tanh: 2, sigmoid: 3 };

describe.each([false, true])("every elementwise op of the IR as a one-node chain (shared memory: %s)", (shared) => {
  it.each(elementwiseOps)("%s against evalScalar rounded to float32", (op, arity) => {
    const chain = oneNodeChain(op, new Array(arity).fill("full"));
    const [run] = instantiateChains([chain], shared);
    const ins = operands(arity);
    const out = new Float32Array(ins[0].length);
    run(out, 0, out.length, 1, ...ins);
    const { ulp, at } = worst(elementwiseOf(chain.members[0])!, ins, out, !(op in APPROXIMATE));
    expect(ulp, at).toBeLessThanOrEqual(APPROXIMATE[op] ?? 0);
  });
});
