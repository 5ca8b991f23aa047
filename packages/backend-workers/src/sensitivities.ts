import { resolveShape, sizeOf, type CheckedProgram, type Tensor } from "@unroll/ir";
import type { WindowCompiler } from "@unroll/bptt";

/** RTRL's sensitivities `∂state/∂param`, by param and then by state, as a window request and result carry them. */
export type Sensitivities = Readonly<Record<string, Readonly<Record<string, Tensor>>>>;

/**
 * The whole-batch shape of every sensitivity an RTRL window of `batch` rows
 * returns, `[B, size(param), ...state]` (rows leading, so a slice of rows is
 * a slice of axis 0), by param and then by state: only the pairs the
 * compiler's RTRL graph carries, i.e. params that reach a state.
 */
export function sensitivityShapes(compiler: WindowCompiler, batch: number, masked: boolean): Record<string, Record<string, number[]>> {
  const program: CheckedProgram = compiler.program;
  const out: Record<string, Record<string, number[]>> = {};
  for (const [param, byState] of Object.entries(compiler.rtrl(masked).rtrl.sensitivities)) {
    out[param] = {};
    for (const state of Object.keys(byState)) {
      const s = resolveShape(program.states[state].shape, batch);
      out[param][state] = [s[0], sizeOf(program.params[param]), ...s.slice(1)];
    }
  }
  return out;
}

/** `f` applied to every tensor of a sensitivity record, keeping its params and states. */
export function mapSensitivities<A, B>(s: Readonly<Record<string, Readonly<Record<string, A>>>>, f: (t: A) => B): Record<string, Record<string, B>> {
  return Object.fromEntries(Object.entries(s).map(([param, byState]) => [param, Object.fromEntries(Object.entries(byState).map(([k, t]) => [k, f(t)]))]));
}
