import { describe, expect, it } from "vitest";
import { loadGraph, opKinds, ops, type OpKind, type VjpContext } from "@unroll/ir";
import { ATOL, EPS, RTOL, checkCase, prepare, seedOf, type GradCase } from "./gradient-check.js";
import { gradCases } from "./op-gradient-cases.js";

/** Batch sizes at which every case is checked (two, so a batch mixed up with another axis shows). */
const BATCHES = [2, 3];

/** Runs one case at every batch size and returns its mismatches. */
function mismatches(c: GradCase, prep = prepare(c)): string[] {
  return BATCHES.flatMap((batch) => checkCase(prep, batch, seedOf(`${c.name}/${batch}`)));
}

describe(`op gradients: VJP graph vs central differences (eps ${EPS}, |vjp - fd| <= ${ATOL} + ${RTOL} max(|vjp|, |fd|))`, () => {
  // every op of the op set, so that an op added without a gradient case fails here
  describe.each(opKinds)("%s", (op) => {
    const cases = (gradCases as Partial<Record<OpKind, readonly GradCase[]>>)[op] ?? [];
    it("has a gradient case", () => expect(cases.length).toBeGreaterThan(0));
    for (const c of cases) {
      it(c.name, () => {
        const prep = prepare(c);
        // the case really exercises the op it is filed under
        expect([...prep.ops]).toContain(op);
        // the backward graph is plain JSON that loads again
        const g = prep.vjp.checked.graph;
        expect(JSON.parse(JSON.stringify(g))).toStrictEqual(g);
        expect(loadGraph(JSON.parse(JSON.stringify(g))).order).toHaveLength(g.nodes.length);
        expect(mismatches(c, prep)).toEqual([]);
      });
    }
  });
});

/**
 * Replaces one op's gradient rule for the duration of `body`: the checks above
 * must catch a wrong rule, or they prove nothing.
 */
function withRule<K extends OpKind>(op: K, vjp: (ctx: VjpContext, node: never, g: string) => (string | null)[], body: () => void): void {
  const def = ops[op] as { vjp: unknown };
  const saved = def.vjp;
  def.vjp = vjp;
  try {
    body();
  } finally {
    def.vjp = saved;
  }
}

describe("the gradient check can fail", () => {
  const original = <K extends OpKind>(op: K) => ops[op].vjp.bind(ops[op]) as (ctx: VjpContext, node: never, g: string) => (string | null)[];

  it("catches a negated rule", () => {
    const tanh = original("tanh");
    withRule("tanh", (ctx, n, g) => tanh(ctx, n, g).map((d) => (d === null ? null : ctx.b.neg(d))), () => {
      expect(mismatches(gradCases.tanh[0]).length).toBeGreaterThan(0);
    });
  });

  it("catches a dropped gradient", () => {
    const mul = original("mul");
    withRule("mul", (ctx, n, g) => [mul(ctx, n, g)[0], null], () => {
      expect(mismatches(gradCases.mul[0]).some((m) => m.startsWith("y: no gradient"))).toBe(true);
    });
  });

  it("catches a gradient given to class ids", () => {
    const sce = original("softmaxCrossEntropy");
    withRule("softmaxCrossEntropy", (ctx, n, g) => [sce(ctx, n, g)[0], g], () => {
      expect(mismatches(gradCases.softmaxCrossEntropy[0]).some((m) => m.startsWith("c: expected no gradient"))).toBe(true);
    });
  });

  it("catches a gradient off by 0.1%", () => {
    const matmul = original("matmul");
    withRule("matmul", (ctx, n, g) => matmul(ctx, n, g).map((d) => (d === null ? null : ctx.b.mul(d, ctx.b.scalar(1.001)))), () => {
      expect(mismatches(gradCases.matmul[3]).length).toBeGreaterThan(0);
    });
  });
});
