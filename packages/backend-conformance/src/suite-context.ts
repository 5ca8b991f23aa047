import { describe, it } from "vitest";
import type { CheckedProgram, Dtype, OpKind } from "@unroll/ir";
import { opsOfWindows, WindowCompiler, type Backend } from "@unroll/bptt";

/** Makes the backend under test; called once for the shared instance and again by tests that dispose theirs. */
export type BackendFactory = () => Backend | Promise<Backend>;

/** Every dtype of the IR, in the order the suite reports them. */
export const ALL_DTYPES: readonly Dtype[] = ["float64", "float32"];

/**
 * Where the sections register their groups and tests: vitest's `describe` and
 * `it` when a backend runs the suite; a recorder when the kit's own tests list
 * what the suite would run and skip for a backend.
 */
export interface Registrar {
  /** Registers a group of tests. */
  describe(name: string, body: () => void): void;
  /** Registers a test. */
  it(name: string, body: () => Promise<void> | void): void;
  /** Registers a skipped test; its name says why. */
  skip(name: string): void;
}

/** The {@link Registrar} of a real run: vitest's `describe`, `it` and `it.skip`. */
export const vitestRegistrar: Registrar = {
  describe: (name, body) => describe(name, body),
  it: (name, body) => it(name, body),
  skip: (name) => it.skip(name, () => {}),
};

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
  /** The backend runs backward (`capabilities.gradients`, default true). */
  readonly gradients: boolean;
  /** Where tests are registered. */
  readonly registrar: Registrar;
}

/** The context of a suite over `backend`. */
export function suiteContext(backend: Backend, factory: BackendFactory, registrar: Registrar = vitestRegistrar): SuiteContext {
  const { capabilities } = backend;
  const dtypes = ALL_DTYPES.filter((d) => capabilities.dtypes.includes(d));
  return { backend, factory, dtypes, primary: dtypes[0] ?? "float32", ops: new Set(capabilities.ops), gradients: capabilities.gradients ?? true, registrar };
}

/**
 * Every op a backend runs for a program: its step graphs, their masked variants
 * (for sequences with lengths) and the backward graphs of both, which the IR's
 * autodiff writes in IR ops. Ops that only a backward graph uses (e.g. `step`
 * for relu, `oneHot` for cross-entropy) are included.
 */
export function opsOfProgram(program: CheckedProgram): Set<OpKind> {
  // the scheduler's own list: the graphs its window programs run, which deviceBackend checks at load
  return opsOfWindows(new WindowCompiler(program), true);
}

/**
 * Every op a backend runs for a program under RTRL as well as BPTT: those of
 * {@link opsOfProgram} and those of RTRL's forward-mode step graph, masked or
 * not (it needs ops BPTT does not, e.g. `broadcastTo` and `sum` for the
 * tangents and `oneHot` for the identity seed of a param). `program` must be
 * causal.
 */
export function opsOfRtrl(program: CheckedProgram): Set<OpKind> {
  const compiler = new WindowCompiler(program);
  const ops = opsOfWindows(compiler, true);
  for (const masked of [false, true]) for (const n of compiler.rtrl(masked).scan.graph.order) ops.add(n.op);
  return ops;
}

/** Ops among `ops` that the backend does not declare, sorted. */
export function missingOps(ctx: Pick<SuiteContext, "ops">, ops: Iterable<OpKind>): OpKind[] {
  return [...new Set(ops)].filter((op) => !ctx.ops.has(op)).sort();
}

/** What a test needs from the backend beyond a dtype it declares. */
export interface Needs {
  /** Ops the test runs. */
  readonly ops?: Iterable<OpKind>;
  /** The test asks `runWindow` for gradients. */
  readonly gradients?: boolean;
  /** The test runs in this dtype whatever the suite's primary one (finite differences run in float64). */
  readonly dtype?: Dtype;
}

/** Why a test with these needs cannot run on the backend, or undefined when it can. */
export function skipReason(ctx: SuiteContext, needs: Needs): string | undefined {
  const reasons: string[] = [];
  const missing = missingOps(ctx, needs.ops ?? []);
  if (missing.length > 0) reasons.push(`needs ops the backend does not declare: ${missing.join(", ")}`);
  if (needs.gradients && !ctx.gradients) reasons.push("needs gradients, and the backend is forward-only (capabilities.gradients is false)");
  if (needs.dtype && !ctx.dtypes.includes(needs.dtype)) reasons.push(`${needs.dtype} not declared`);
  return reasons.length > 0 ? reasons.join("; ") : undefined;
}

/**
 * Registers a test with its needs; when the backend lacks any of them, the test
 * is registered as skipped with the reason in its name, so that the gap is
 * reported rather than hidden.
 */
export function itNeeding(ctx: SuiteContext, name: string, needs: Needs, body: () => Promise<void> | void): void {
  const reason = skipReason(ctx, needs);
  if (reason === undefined) ctx.registrar.it(name, body);
  else ctx.registrar.skip(`${name} (skipped: ${reason})`);
}

/** {@link itNeeding} for a test that runs `program` (forward, backward, masked or not), with gradients or without. */
export function itRunning(ctx: SuiteContext, name: string, program: CheckedProgram, needs: Omit<Needs, "ops">, body: () => Promise<void> | void): void {
  itNeeding(ctx, name, { ...needs, ops: opsOfProgram(program) }, body);
}

/** A program with the name its tests show. */
export interface NamedProgram {
  /** Shown in test names. */
  readonly name: string;
  /** The checked program. */
  readonly program: CheckedProgram;
}

/** Which of a list of candidate models a backend can run. */
export interface ModelChoice<M extends NamedProgram> {
  /** The first candidate whose ops the backend declares, if any. */
  readonly chosen: M | undefined;
  /** The candidates before it (all of them, when none fits), each with the ops it lacks. */
  readonly passedOver: readonly { readonly model: M; readonly missing: readonly OpKind[] }[];
}

/**
 * The first of `candidates` (ordered simplest first) whose every op, backward
 * and masked ones included, the backend declares; `opsOf` lists a model's ops
 * ({@link opsOfRtrl} for checks that run RTRL too).
 */
export function chooseModel<M extends NamedProgram>(
  ctx: Pick<SuiteContext, "ops">,
  candidates: readonly M[],
  opsOf: (program: CheckedProgram) => Iterable<OpKind> = opsOfProgram,
): ModelChoice<M> {
  const passedOver: { model: M; missing: OpKind[] }[] = [];
  for (const model of candidates) {
    const missing = missingOps(ctx, opsOf(model.program));
    if (missing.length === 0) return { chosen: model, passedOver };
    passedOver.push({ model, missing });
  }
  return { chosen: undefined, passedOver };
}

/**
 * Registers the tests of `what` on the first candidate the backend can run, so
 * that one undeclared op does not skip a whole section whose subject is not that
 * op. Candidates passed over are reported in one skipped test that names them
 * and the ops they lack; when none fits, the tests are registered on the first
 * candidate and so are skipped, each naming the ops it lacks. `opsOf` lists a
 * model's ops, as for {@link chooseModel}.
 */
export function onFirstRunnable<M extends NamedProgram>(
  ctx: SuiteContext,
  what: string,
  candidates: readonly M[],
  register: (model: M) => void,
  opsOf: (program: CheckedProgram) => Iterable<OpKind> = opsOfProgram,
): void {
  const { chosen, passedOver } = chooseModel(ctx, candidates, opsOf);
  if (!chosen) {
    const union = [...new Set(passedOver.flatMap((p) => p.missing))].sort();
    ctx.registrar.skip(
      `${what} (skipped: none of its ${candidates.length} candidate models runs; they need ops the backend does not declare: ${union.join(", ")})`,
    );
  } else if (passedOver.length > 0) {
    const lacks = passedOver.length === 1 ? passedOver[0].missing.join(", ") : passedOver.map((p) => `${p.model.name}: ${p.missing.join(", ")}`).join("; ");
    ctx.registrar.skip(
      `${what} on ${passedOver.map((p) => p.model.name).join(", ")} (skipped: needs ops the backend does not declare: ${lacks}; ran on ${chosen.name} instead)`,
    );
  }
  register(chosen ?? candidates[0]);
}
