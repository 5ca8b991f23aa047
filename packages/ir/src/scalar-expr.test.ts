import { describe, expect, it } from "vitest";
import { elementwiseOf, opKinds, ops } from "./ops/index.js";
import * as s from "./scalar-expr.js";
import type { Shape } from "./shape.js";
import { evalScalar, renderJs, scalarArity, type ScalarExpr, type ScalarFn } from "./scalar-expr.js";

const VALUES = [0, -0, 1, -1, 0.5, -3, 2.5e-8, 40, -800, 710, Infinity, -Infinity, NaN];

/** Compiles `renderJs(expr)` with operand k read from `a[k]`. */
const compile = (expr: ScalarExpr): ((a: number[]) => number) => new Function("a", `return ${renderJs(expr, (k) => `a[${k}]`)};`) as (a: number[]) => number;

/** Every value for each operand, as argument lists. */
function* argLists(arity: number): Generator<number[]> {
  if (arity === 0) {
    yield [];
    return;
  }
  for (const rest of argLists(arity - 1)) for (const v of VALUES) yield [...rest, v];
}

describe("scalar expressions", () => {
  const x = s.input(0);
  const y = s.input(1);
  const z = s.input(2);

  it("evaluate and compile to the same bits, function by function", () => {
    for (const fn of Object.keys(scalarArity) as ScalarFn[]) {
      const args = [x, y, z].slice(0, scalarArity[fn]);
      const expr: ScalarExpr = { fn, args };
      const js = compile(expr);
      for (const a of argLists(args.length)) expect(Object.is(js(a), evalScalar(expr, a)), `${fn}(${a})`).toBe(true);
    }
  });

  it("parenthesize nested operators and negative constants", () => {
    const cases: [ScalarExpr, string][] = [
      [s.neg(s.neg(x)), "-(-a[0])"],
      [s.sub(x, s.sub(y, z)), "a[0] - (a[1] - a[2])"],
      [s.div(x, s.mul(y, 2)), "a[0] / (a[1] * 2)"],
      [s.mul(s.add(x, y), -1), "(a[0] + a[1]) * (-1)"],
      [s.sub(x, -0), "a[0] - (-0)"],
      [s.select(s.gt(x, 0), x, s.mul(x, 0.01)), "(a[0] > 0 ? a[0] : (a[0] * 0.01))"],
      [s.select(x, 1, 2), "(a[0] !== 0 ? 1 : 2)"],
      [s.max(s.neg(x), -Infinity), "Math.max(-a[0], -Infinity)"],
    ];
    for (const [expr, text] of cases) {
      expect(renderJs(expr, (k) => `a[${k}]`)).toBe(text);
      const js = compile(expr);
      for (const a of argLists(3)) expect(Object.is(js(a), evalScalar(expr, a)), `${text} at ${a}`).toBe(true);
    }
  });

  it("render operands left to right, once per use", () => {
    const seen: number[] = [];
    renderJs(s.add(s.mul(y, x), s.exp(y)), (k) => (seen.push(k), `v${k}`));
    expect(seen).toEqual([1, 0, 1]);
  });
});

describe("elementwise op facts", () => {
  for (const op of opKinds.filter((k) => ops[k].elementwise !== undefined)) {
    it(`${op}: uses only its own operands, and is row-wise`, () => {
      const arity = ops[op].elementwise!.length;
      const node = { id: "y", op, inputs: Array.from({ length: arity }, (_, k) => `x${k}`) } as Parameters<typeof elementwiseOf>[0];
      const used = new Set<number>();
      renderJs(elementwiseOf(node)!, (k) => (used.add(k), "v"));
      expect([...used].every((k) => k < arity)).toBe(true);
      expect(ops[op].batch).toBe("rowwise");
      // an elementwise op is one of the broadcasting ones: same shape out as in
      expect(
        ops[op].shape(
          Array.from({ length: arity }, (): Shape => ["B", 3]),
          node as never,
        ),
      ).toEqual(["B", 3]);
    });
  }
});
