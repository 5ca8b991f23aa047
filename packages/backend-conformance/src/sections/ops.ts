import { expect } from "vitest";
import { opKinds, resolveShape, type Dtype, type OpKind, type Tensor } from "@unroll/ir";
import { runForward } from "@unroll/bptt";
import { forwardCases } from "../ops/forward-cases.js";
import { prepareCase, type ForwardCase, type PreparedCase } from "../ops/forward-case.js";
import { expectNoMismatches, tensorMismatches } from "../support/compare.js";
import { referenceForward } from "../support/reference.js";
import { rejection } from "../support/rejection.js";
import { cast, randomTensor, rngFor } from "../support/tensors.js";
import { FORWARD_TOLERANCE } from "../support/tolerance.js";
import { itNeeding, type SuiteContext } from "../suite-context.js";

/** Steps and batch of every op case: more than one of each, so that a step or row mixed up with another shows. */
const T = 3;
const B = 2;

/** Runs a case on the backend in `dtype` and compares its outputs with the float64 reference on the same (rounded) inputs. */
async function checkCase(ctx: SuiteContext, prep: PreparedCase, dtype: Dtype, seed: string): Promise<void> {
  const rand = rngFor(seed);
  const params: Record<string, Tensor> = {};
  const sequences: Record<string, Tensor> = {};
  for (const o of prep.operands) {
    if (o.kind === "params") params[o.id] = cast(randomTensor(o.shape as number[], rand, o.gen), dtype);
    else sequences[o.id] = cast(randomTensor([T, ...resolveShape(o.shape, B)], rand, o.gen), dtype);
  }
  const ref = referenceForward(prep.program, params, sequences);
  const loaded = await ctx.backend.load(prep.program, { dtype });
  try {
    const r = await runForward(loaded, params, { sequences }, prep.program);
    expect(r.outputs.data, `outputs of a ${dtype} program`).toBeInstanceOf(dtype === "float64" ? Float64Array : Float32Array);
    expectNoMismatches(tensorMismatches("outputs", r.outputs, ref.outputs, FORWARD_TOLERANCE[dtype], "sequence"));
  } finally {
    await loaded.dispose();
  }
}

/** An op the backend does not declare: loading a program that uses it must reject, naming the op. */
function describeUnsupportedOp(ctx: SuiteContext, op: OpKind, c: ForwardCase): void {
  ctx.registrar.it(`unsupported op ${op} (not declared in capabilities.ops): loading a program that uses it rejects naming the op`, async () => {
    const err = await rejection(() => ctx.backend.load(prepareCase(c).program, { dtype: ctx.primary }));
    expect(err.message).toContain(op);
  });
}

/**
 * Every op of the IR, forward, in every declared dtype, against the CPU kernels
 * run in float64 (float32 within 1e-5 relative, float64 within 1e-12).
 */
export function describeOps(ctx: SuiteContext): void {
  ctx.registrar.describe(`every op forward vs the float64 CPU kernels (T = ${T}, B = ${B})`, () => {
    for (const op of opKinds) {
      const cases = (forwardCases as Partial<Record<OpKind, readonly ForwardCase[]>>)[op] ?? [];
      if (cases.length === 0) {
        ctx.registrar.it(`${op}: has a forward case`, () => {
          throw new Error(`op "${op}" has no forward case; add one to forwardCases in @unroll/backend-conformance`);
        });
        continue;
      }
      if (!ctx.ops.has(op)) {
        describeUnsupportedOp(ctx, op, cases[0]);
        continue;
      }
      for (const c of cases) {
        const prep = prepareCase(c);
        for (const dtype of ctx.dtypes) {
          itNeeding(ctx, `${op}: ${c.name} (${dtype})`, { ops: prep.program.stages[0].checked.order.map((n) => n.op) }, async () => {
            // the case really exercises the op it is filed under
            expect([...prep.ops]).toContain(op);
            await checkCase(ctx, prep, dtype, `${op}/${c.name}`);
          });
        }
      }
    }
  });
}
