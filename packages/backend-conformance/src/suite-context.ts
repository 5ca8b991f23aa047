import { it } from "vitest";
import { maskGraph, vjpGraph, type CheckedGraph, type CheckedProgram, type Dtype, type OpKind } from "@unroll/ir";
import type { Backend } from "@unroll/bptt";

/** Makes the backend under test; called once for the shared instance and again by tests that dispose theirs. */
export type BackendFactory = () => Backend | Promise<Backend>;

/** Every dtype of the IR, in the order the suite reports them. */
export const ALL_DTYPES: readonly Dtype[] = ["float64", "float32"];

/** What every section of the suite is given. */
export interface SuiteContext {
  /** The shared backend instance, disposed after the suite. */
  readonly backend: Backend;
  /** Makes a fresh backend, for tests that dispose it. */
  readonly factory: BackendFactory;
  /** The dtypes the backend declares, float64 first. */
  readonly dtypes: readonly Dtype[];
  /** The dtype of checks that need one precision: float64 when declared (gradient checks), else float32. */
  readonly primary: Dtype;
  /** Ops the backend declares. */
  readonly ops: ReadonlySet<OpKind>;
}

/** The context of a suite over `backend`. */
export function suiteContext(backend: Backend, factory: BackendFactory): SuiteContext {
  const dtypes = ALL_DTYPES.filter((d) => backend.capabilities.dtypes.includes(d));
  return { backend, factory, dtypes, primary: dtypes[0] ?? "float32", ops: new Set(backend.capabilities.ops) };
}

function graphOps(g: CheckedGraph, into: Set<OpKind>): void {
  for (const n of g.order) into.add(n.op);
}

/**
 * Every op a backend runs for a program: its step graphs, their masked variants
 * (for sequences with lengths) and the backward graphs of both, which the IR's
 * autodiff writes in IR ops.
 */
export function opsOfProgram(program: CheckedProgram): Set<OpKind> {
  const out = new Set<OpKind>();
  for (const stage of program.stages) {
    const ysSeeds = stage.checked.graph.ys.map((y) => y.id);
    for (const g of [stage.checked, maskGraph(stage.checked)]) {
      graphOps(g, out);
      graphOps(vjpGraph(g, { ysSeeds }).checked, out);
    }
  }
  return out;
}

/**
 * Registers a test that runs `ops`; when the backend does not declare all of
 * them, the test is registered as skipped with the missing ops in its name, so
 * that the gap is reported rather than hidden.
 */
export function itNeeding(ctx: SuiteContext, name: string, ops: Iterable<OpKind>, body: () => Promise<void>): void {
  const missing = [...new Set(ops)].filter((op) => !ctx.ops.has(op)).sort();
  if (missing.length === 0) it(name, body);
  else it.skip(`${name} (skipped: needs ops the backend does not declare: ${missing.join(", ")})`, body);
}

/** {@link itNeeding} for a test that runs `program` forward and backward, masked or not. */
export function itRunning(ctx: SuiteContext, name: string, program: CheckedProgram, body: () => Promise<void>): void {
  itNeeding(ctx, name, opsOfProgram(program), body);
}
