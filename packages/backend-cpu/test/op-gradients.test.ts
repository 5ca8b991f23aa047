import { describe, expect, it } from "vitest";
import { loadGraph, opCases, opKinds, ops, type OpCase, type OpKind, type VjpContext } from "@unroll/ir";
import { ATOL, EPS, RTOL, checkCase, prepare, seedOf } from "./gradient-check.js";

/** Batch sizes at which every case is checked (two, so a batch mixed up with another axis shows). */
const BATCHES = [2, 3];

/** Runs one case at every batch size and returns its mismatches. */
function mismatches(c: OpCase, prep = prepare(c)): string[] {
  return BATCHES.flatMap((batch) => checkCase(prep, batch, seedOf(`${c.name}/${batch}`)));
}

describe(`op gradients: VJP graph vs central differences (eps ${EPS}, |vjp - fd| <= ${ATOL} + ${RTOL} max(|vjp|, |fd|))`, () => {
  // every op of the op set (the graphs of its entry in @unroll/ir's opCases), so that an op added without a case fails here
  describe.each(opKinds)("%s", (op) => {
    const all = (opCases as Partial<Record<OpKind, { graphs: readonly OpCase[] }>>)[op]?.graphs ?? [];
    const cases = all.filter((c) => c.gradient !== false);
    it("has a case", () => expect(cases.length).toBeGreaterThan(0));
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

/** The case of an op with this name. */
const named = (op: OpKind, name: string): OpCase => opCases[op].graphs.find((c) => c.name === name)!;

describe("the gradient check can fail", () => {
  const original = <K extends OpKind>(op: K) => ops[op].vjp.bind(ops[op]) as (ctx: VjpContext, node: never, g: string) => (string | null)[];

  it("catches a negated rule", () => {
    const tanh = original("tanh");
    withRule(
      "tanh",
      (ctx, n, g) => tanh(ctx, n, g).map((d) => (d === null ? null : ctx.b.neg(d))),
      () => {
        expect(mismatches(named("tanh", "[B,3]")).length).toBeGreaterThan(0);
      },
    );
  });

  it("catches a dropped gradient", () => {
    const mul = original("mul");
    withRule(
      "mul",
      (ctx, n, g) => [mul(ctx, n, g)[0], null],
      () => {
        expect(mismatches(named("mul", "[B,3] * [B,1]")).some((m) => m.startsWith("y: no gradient"))).toBe(true);
      },
    );
  });

  it("catches a gradient given to class ids", () => {
    const sce = original("softmaxCrossEntropy");
    withRule(
      "softmaxCrossEntropy",
      (ctx, n, g) => [sce(ctx, n, g)[0], g],
      () => {
        expect(mismatches(named("softmaxCrossEntropy", "logits [B,4], class ids [B]")).some((m) => m.startsWith("c: expected no gradient"))).toBe(true);
      },
    );
  });

  it("catches a gradient off by 0.1%", () => {
    const matmul = original("matmul");
    withRule(
      "matmul",
      (ctx, n, g) => matmul(ctx, n, g).map((d) => (d === null ? null : ctx.b.mul(d, ctx.b.scalar(1.001)))),
      () => {
        expect(mismatches(named("matmul", "W[3,2]ᵀ · x[B,3]ᵀ")).length).toBeGreaterThan(0);
      },
    );
  });
});
