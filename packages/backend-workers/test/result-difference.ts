import type { Tensor } from "@unroll/ir";
import type { WindowResult } from "@unroll/bptt";

/**
 * What differs between two window results, beyond `tol` (absolute), in every
 * field either has: outputs, states, final state, loss, loss rows, gradients,
 * input and initial-state gradients, sensitivities and delta norms. Empty when
 * they agree. One loop over the numbers, so hundreds of windows stay cheap.
 */
export function resultDifferences(a: WindowResult, b: WindowResult, tol: number): string[] {
  const problems: string[] = [];
  const near = (x: number, y: number): boolean => Math.abs(x - y) <= tol || (Number.isNaN(x) && Number.isNaN(y));
  const tensor = (label: string, x: Tensor | undefined, y: Tensor | undefined): void => {
    if (!x || !y) return void problems.push(`${label}: ${x ? "unexpected" : "missing"}`);
    if (x.shape.join() !== y.shape.join()) return void problems.push(`${label}: shape [${x.shape.join(", ")}] vs [${y.shape.join(", ")}]`);
    const at = y.data.findIndex((v, i) => !near(x.data[i], v));
    if (at >= 0) problems.push(`${label}[${at}]: ${x.data[at]} vs ${y.data[at]}`);
  };
  const record = (label: string, x: Readonly<Record<string, Tensor>> | undefined, y: Readonly<Record<string, Tensor>> | undefined): void => {
    if ((x === undefined) !== (y === undefined)) return void problems.push(`${label}: ${x ? "unexpected" : "missing"}`);
    const names = new Set([...Object.keys(x ?? {}), ...Object.keys(y ?? {})]);
    for (const k of names) tensor(`${label}.${k}`, x?.[k], y?.[k]);
  };
  tensor("outputs", a.outputs, b.outputs);
  record("states", a.states, b.states);
  record("finalState", a.finalState, b.finalState);
  record("grads", a.grads, b.grads);
  record("inputGrads", a.inputGrads, b.inputGrads);
  record("initialStateGrads", a.initialStateGrads, b.initialStateGrads);
  if ((a.sensitivities === undefined) !== (b.sensitivities === undefined)) problems.push("sensitivities: presence");
  for (const p of new Set([...Object.keys(a.sensitivities ?? {}), ...Object.keys(b.sensitivities ?? {})]))
    record(`sensitivities.${p}`, a.sensitivities?.[p], b.sensitivities?.[p]);
  if (a.lossRows !== b.lossRows) problems.push(`lossRows: ${a.lossRows} vs ${b.lossRows}`);
  if ((a.loss === undefined) !== (b.loss === undefined) || (b.loss !== undefined && !near(a.loss!, b.loss))) problems.push(`loss: ${a.loss} vs ${b.loss}`);
  if ((a.deltaNorms === undefined) !== (b.deltaNorms === undefined)) problems.push("deltaNorms: presence");
  for (const [k, norms] of Object.entries(b.deltaNorms ?? {}))
    norms.forEach((n, t) => {
      const m = a.deltaNorms?.[k]?.[t];
      if (m === undefined || !near(m, n)) problems.push(`deltaNorms.${k}[${t}]: ${m} vs ${n}`);
    });
  return problems;
}

/** Bytes of every tensor in a window's request and result: what the pool allocates for one window, at most. */
export function windowBytes(...parts: readonly object[]): number {
  let bytes = 0;
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) bytes += v.byteLength;
    else if (!(v instanceof AbortSignal)) for (const x of Object.values(v)) visit(x);
  };
  parts.forEach(visit);
  return bytes;
}
