import { causalStepGraph, snapGraph, type CheckedProgram, type Dtype, type OpKind } from "@unroll/ir";
import { computeGradients, WindowCompiler, type Backend } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { expect } from "vitest";
import { castData, modelData } from "../models/model-data.js";
import { diagonalCell, modelCases, type ModelCase } from "../models/models.js";
import { expectNoMismatches, recordMismatches, scalarMismatches, sensitivityMismatches } from "../support/compare.js";
import { rejection } from "../support/rejection.js";
import { castAll, randomParams, rngFor } from "../support/tensors.js";
import { GRADIENT_TOLERANCE } from "../support/tolerance.js";
import { itNeeding, itRunning, type SuiteContext } from "../suite-context.js";

const T = 5;
const B = 4;
const FULL = { kind: "full" } as const;
/** A row cut short, a row with no counted step, and two longer ones. */
const LENGTHS = [5, 1, 4, 0];

/** Every op SnAp-1's windows of a program run, BPTT's included (the checks compare with it). */
export function opsOfSnap(program: CheckedProgram): Set<OpKind> {
  const compiler = new WindowCompiler(program);
  const ops = new Set<OpKind>();
  for (const s of program.stages.keys())
    for (const g of [compiler.stage(s, false).forward, compiler.stage(s, false).backward]) for (const n of g.graph.order) ops.add(n.op);
  for (const n of compiler.rtrl(false, "snap1").scan.graph.order) ops.add(n.op);
  return ops;
}

/** Why SnAp-1 cannot follow a causal program, or undefined when it can. */
function unsupported(program: CheckedProgram): string | undefined {
  try {
    snapGraph(causalStepGraph(program));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * The backend's SnAp-1 gradients and sensitivities in `dtype` against the
 * float64 CPU backend's SnAp-1 (the inputs rounded to `dtype`), and, when
 * `exact`, against the backend's own full BPTT.
 */
export async function snapMismatches(backend: Backend, model: ModelCase, dtype: Dtype, exact: boolean, lengths?: readonly number[]): Promise<string[]> {
  const { program } = model;
  const rand = rngFor(`snap/${model.name}`);
  const params = castAll(randomParams(program, rand), dtype);
  const data = castData({ ...modelData(program, T, B, rand), ...(lengths ? { lengths } : {}) }, dtype);
  const loaded = await backend.load(program, { dtype });
  const cpu = createCpuBackend();
  const reference = await cpu.load(program, { dtype: "float64" });
  try {
    const snap = await computeGradients(loaded, program, params, data, FULL, { method: "snap1" });
    const ref = await computeGradients(reference, program, castAll(params, "float64"), castData(data, "float64"), FULL, { method: "snap1" });
    const tol = GRADIENT_TOLERANCE[dtype];
    const problems = [
      ...scalarMismatches("SnAp-1 loss vs the float64 reference", snap.loss, ref.loss, tol),
      ...recordMismatches("SnAp-1 grads vs the float64 reference's SnAp-1", snap.grads, ref.grads, tol),
      ...sensitivityMismatches("SnAp-1 sensitivities vs the float64 reference's", snap.forward.sensitivities, ref.forward.sensitivities ?? {}, tol),
    ];
    if (exact) {
      const bptt = await computeGradients(loaded, program, params, data, FULL);
      const rtrl = await computeGradients(loaded, program, params, data, FULL, { method: "rtrl" });
      problems.push(
        ...recordMismatches("SnAp-1 grads vs the backend's full BPTT (exact on a diagonal recurrence)", snap.grads, bptt.grads, tol),
        ...recordMismatches("SnAp-1 grads vs the backend's exact RTRL", snap.grads, rtrl.grads, tol),
      );
    }
    return problems;
  } finally {
    await loaded.dispose();
    await cpu.dispose();
  }
}

/**
 * SnAp-1 (`method: "snap1"`), in every declared dtype: for every causal model
 * of the suite that it supports, its gradients and sensitivities equal the
 * float64 CPU backend's SnAp-1; on a diagonal recurrence, where it is exact,
 * they equal the backend's full BPTT; a model it cannot follow is rejected
 * with the reason.
 */
export function describeSnap(ctx: SuiteContext): void {
  ctx.registrar.describe(`SnAp-1: sparse sensitivities carried forward (T = ${T}, B = ${B})`, () => {
    const models = [...modelCases().filter((m) => m.causal), { name: "diagonal recurrence (SnAp-1 is exact)", program: diagonalCell(), causal: true }];
    for (const model of models) {
      const why = unsupported(model.program);
      const exact = model.name.startsWith("diagonal");
      if (why !== undefined) {
        itRunning(ctx, `${model.name}: rejected with the reason SnAp-1 cannot follow it`, model.program, { gradients: true }, async () => {
          const loaded = await ctx.backend.load(model.program, { dtype: ctx.primary });
          try {
            const rand = rngFor(`snap/refused/${model.name}`);
            const data = castData(modelData(model.program, T, B, rand), ctx.primary);
            const err = await rejection(() =>
              loaded.runWindow({
                params: castAll(randomParams(model.program, rand), ctx.primary),
                sequences: data.sequences,
                initialState: data.initialState,
                gradients: true,
                method: "snap1",
              }),
            );
            expect(err.message).toContain("SnAp-1 cannot follow");
          } finally {
            await loaded.dispose();
          }
        });
        continue;
      }
      const ops = opsOfSnap(model.program);
      for (const lengths of exact ? [undefined, LENGTHS] : [undefined]) {
        const what = lengths ? `, masked batch (lengths ${lengths.join(", ")})` : "";
        for (const dtype of ctx.dtypes) {
          itNeeding(
            ctx,
            `${model.name}${what}: SnAp-1 gradients and sensitivities equal the float64 reference's${exact ? ", and full BPTT's and RTRL's" : ""} (${dtype})`,
            { ops, gradients: true },
            async () => expectNoMismatches(await snapMismatches(ctx.backend, model, dtype, exact, lengths)),
          );
        }
      }
    }
  });
}
