import { describe, expect, it } from "vitest";
import { loadGraph, opCases, opKinds, ops, type JvpContext, type OpCase, type OpKind } from "@unroll/ir";
import { ATOL, EPS, RTOL, prepare, seedOf } from "./gradient-check.js";
import { DIRECTIONS, checkTangents } from "./tangent-check.js";

/** Batch sizes at which every case is checked. */
const BATCHES = [2, 3];

function mismatches(c: OpCase, identity?: string): string[] {
  const prep = prepare(c);
  return BATCHES.flatMap((batch) => checkTangents(prep, batch, seedOf(`${c.name}/jvp/${batch}/${identity ?? ""}`), identity));
}

describe(`op tangents: JVP graph vs central differences (eps ${EPS}, |jvp - fd| <= ${ATOL} + ${RTOL} max(|jvp|, |fd|), or within the rounding of the differences)`, () => {
  // every op of the op set, through the same cases as its gradient
  describe.each(opKinds)("%s", (op) => {
    const cases = opCases[op].graphs.filter((c) => c.gradient !== false);
    for (const c of cases) {
      it(`${c.name}: ${DIRECTIONS} random directions of every input at once`, () => {
        const prep = prepare(c);
        const g = prep.vjp.checked.graph;
        expect(JSON.parse(JSON.stringify(g))).toStrictEqual(g);
        expect(mismatches(c)).toEqual([]);
      });
      // RTRL seeds a param with the identity (its entries are the directions), which rules may treat structurally
      const params = prepare(c).inputs.filter((i) => i.kind === "params" && !i.spec.discrete);
      for (const p of params) {
        it(`${c.name}: identity directions of param ${p.id}`, () => expect(mismatches(c, p.id)).toEqual([]));
      }
    }
  });
});

describe("the tangent check can fail", () => {
  function withRule<K extends OpKind>(op: K, jvp: (ctx: JvpContext, node: never) => string | null, body: () => void): void {
    const def = ops[op] as { jvp: unknown };
    const saved = def.jvp;
    def.jvp = jvp;
    try {
      body();
    } finally {
      def.jvp = saved;
    }
  }
  const named = (op: OpKind, name: string): OpCase => opCases[op].graphs.find((c) => c.name === name)!;
  const original = <K extends OpKind>(op: K) => ops[op].jvp.bind(ops[op]) as (ctx: JvpContext, node: never) => string | null;

  it("catches a rule off by 0.1%", () => {
    const tanh = original("tanh");
    withRule(
      "tanh",
      (ctx, n) => ctx.b.mul(tanh(ctx, n)!, ctx.b.scalar(1.001)),
      () => expect(mismatches(named("tanh", "[B,3]")).length).toBeGreaterThan(0),
    );
  });

  it("catches a dropped term of matmul's identity seed", () => {
    const matmul = original("matmul");
    withRule(
      "matmul",
      (ctx, n) => (ctx.isIdentity(1) ? ctx.b.mul(matmul(ctx, n)!, ctx.b.scalar(0)) : matmul(ctx, n)),
      () => expect(mismatches(named("matmul", "x[B,3] · W[3,4]"), "W").length).toBeGreaterThan(0),
    );
  });

  it("loads the JVP graph as plain JSON", () => {
    const prep = prepare(named("matmul", "x[B,3] · W[3,4]"));
    expect(loadGraph(JSON.parse(JSON.stringify(prep.forward.graph))).order.length).toBeGreaterThan(0);
  });
});
