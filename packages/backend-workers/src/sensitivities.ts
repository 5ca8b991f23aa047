import { resolveShape, type Tensor } from "@unroll/ir";
import type { ForwardMethod, WindowCompiler } from "@unroll/bptt";

/** The sensitivities `∂state/∂param` that RTRL and SnAp-1 carry, by param and then by state, as a window request and result hold them. */
export type Sensitivities = Readonly<Record<string, Readonly<Record<string, Tensor>>>>;

/**
 * The whole-batch shape of every sensitivity a window of `batch` rows
 * returns under `method`, read from the compiler's step graph (RTRL's
 * `[B, size(param), ...state]`, SnAp-1's `[B, size(param) / n, n]`: rows
 * lead either way, so a slice of rows is a slice of axis 0), by param and
 * then by state: only the pairs the graph carries, i.e. params that reach a
 * state.
 */
export function sensitivityShapes(compiler: WindowCompiler, batch: number, masked: boolean, method: ForwardMethod): Record<string, Record<string, number[]>> {
  const { scan, rtrl } = compiler.rtrl(masked, method);
  const carries = new Map(scan.graph.graph.carry.map((c) => [c.id, c.shape]));
  return mapSensitivities(rtrl.sensitivities, (carry) => resolveShape(carries.get(carry)!, batch));
}

/** `f` applied to every entry of a record by param and then by state, keeping its params and states. */
export function mapSensitivities<A, B>(s: Readonly<Record<string, Readonly<Record<string, A>>>>, f: (t: A) => B): Record<string, Record<string, B>> {
  return Object.fromEntries(Object.entries(s).map(([param, byState]) => [param, Object.fromEntries(Object.entries(byState).map(([k, t]) => [k, f(t)]))]));
}
