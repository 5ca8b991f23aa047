import { jvpGraph, resolveShape, sizeOf, type JvpGraph, type Tensor } from "@unroll/ir";
import { createRng } from "@unroll/bptt";
import { GraphRunner, cpuKernels } from "../src/index.js";
import { close, EPS, OUT, type PreparedCase } from "./gradient-check.js";

/** Directions checked at once by {@link checkTangents}. */
export const DIRECTIONS = 3;

function randomTensor(shape: number[], r: () => number, gen: (r: () => number) => number = (r) => 2 * r() - 1): Tensor {
  return { shape, data: Float64Array.from({ length: sizeOf(shape) }, () => gen(r)) };
}

/** Direction d of a tangent: `T[:, d]` of a batched `[B, D, ...]` one, `T[d]` of a param's `[D, ...]`. */
function direction(t: Tensor, d: number, batched: boolean): Float64Array {
  const D = batched ? t.shape[1] : t.shape[0];
  const rows = batched ? t.shape[0] : 1;
  const width = t.data.length / rows / D;
  const out = new Float64Array(rows * width);
  for (let b = 0; b < rows; b++) out.set(t.data.subarray((b * D + d) * width, (b * D + d + 1) * width), b * width);
  return out;
}

/**
 * Checks the forward-mode (JVP) graph of a case against central finite
 * differences, one direction at a time: with `identity` the directions are the
 * entries of that param (the tangent RTRL seeds), else {@link DIRECTIONS}
 * random tangents of every continuous input at once. Returns the mismatches.
 */
export function checkTangents(prep: PreparedCase, batch: number, seed: number, identity?: string): string[] {
  const r = createRng(seed);
  const { forward } = prep;
  const values = new Map<string, Tensor>();
  for (const i of prep.inputs) values.set(i.id, randomTensor(resolveShape(i.shape, batch), r, i.spec.gen));
  const continuous = prep.inputs.filter((i) => !i.spec.discrete);
  const D = identity ? sizeOf(values.get(identity)!.shape) : DIRECTIONS;
  const jvp: JvpGraph = identity
    ? jvpGraph(forward, { directions: D, identity: [identity] })
    : jvpGraph(forward, { directions: D, seeds: continuous.map((i) => i.id) });
  const tangents = new Map<string, Tensor>();
  for (const i of continuous) {
    if (identity) {
      if (i.id !== identity) continue;
      const n = values.get(i.id)!.data.length;
      tangents.set(i.id, { shape: [n, ...values.get(i.id)!.shape], data: Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0)) });
    } else {
      const t = randomTensor(resolveShape(jvp.checked.shapes.get(jvp.seeds[i.id])!, batch), r);
      tangents.set(i.id, t);
    }
  }
  const env = new Map(values);
  for (const [id, t] of tangents) if (!identity) env.set(jvp.seeds[id], t);
  const out = new GraphRunner(jvp.checked, cpuKernels, "float64").run(env, batch);
  const outValue = forward.graph.ys.find((y) => y.id === OUT)!.value;
  const tOut = jvp.ys[OUT] === undefined ? undefined : out.get(jvp.checked.graph.ys.find((y) => y.id === jvp.ys[OUT])!.value)!;
  const fwd = new GraphRunner(forward, cpuKernels, "float64");
  const f = (vals: Map<string, Tensor>): Float64Array => Float64Array.from(fwd.run(new Map(vals), batch).get(outValue)!.data);
  const problems: string[] = [];
  if (tOut && tOut.shape[1] !== D) problems.push(`tangent of the output has shape [${tOut.shape}]`);
  for (let d = 0; d < D; d++) {
    const perturbed = (scale: number): Map<string, Tensor> => {
      const m = new Map(values);
      for (const [id, t] of tangents) {
        const v = values.get(id)!;
        const dir = direction(t, d, prep.inputs.find((i) => i.id === id)!.kind === "xs");
        m.set(id, { shape: v.shape, data: v.data.map((x, k) => x + scale * dir[k]) });
      }
      return m;
    };
    const [plus, minus] = [f(perturbed(EPS)), f(perturbed(-EPS))];
    const got = tOut ? direction(tOut, d, true) : new Float64Array(plus.length);
    for (let k = 0; k < plus.length; k++) {
      const fd = (plus[k] - minus[k]) / (2 * EPS);
      // central differences of an output of size |f| carry a rounding error of about ε·|f|/eps on top of the tolerance
      const rounding = (4 * Number.EPSILON * Math.max(Math.abs(plus[k]), Math.abs(minus[k]))) / (2 * EPS);
      if (!close(got[k], fd) && Math.abs(got[k] - fd) > rounding)
        problems.push(`direction ${d}, output[${k}] at batch ${batch}: jvp ${got[k]}, finite differences ${fd}`);
    }
  }
  return problems;
}
