import {
  GraphBuilder,
  type CaseInputs,
  type InputSpec,
  type OpCase,
  resolveShape,
  sizeOf,
  vjpGraph,
  type CheckedGraph,
  type Dim,
  type Tensor,
  type VjpGraph,
} from "@unroll/ir";
import { createRng } from "@unroll/bptt";
import { GraphRunner, cpuKernels } from "../src/index.js";

/** Step of the central differences. */
export const EPS = 1e-6;
/** Relative tolerance between the VJP graph and central differences, in float64. */
export const RTOL = 1e-7;
/** Absolute floor of the tolerance, for entries near zero. */
export const ATOL = 1e-9;

/** True when `a` and `b` agree to `ATOL + RTOL * max(|a|, |b|)`. */
export function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= ATOL + RTOL * Math.max(Math.abs(a), Math.abs(b));
}

/** A seed from a string (FNV-1a), so that a case's inputs do not depend on the other cases. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A case turned into its forward graph, the VJP graph of its output, and its inputs. */
export interface PreparedCase {
  readonly forward: CheckedGraph;
  readonly vjp: VjpGraph;
  /** Declared inputs: xs and params, with their specs. */
  readonly inputs: readonly { id: string; kind: "xs" | "params"; shape: readonly Dim[]; spec: InputSpec }[];
  /** Ops of the nodes the case itself built (before its output was made batch-first). */
  readonly ops: ReadonlySet<string>;
}

/** The id of the ys that every case's output is collected into and seeded through. */
export const OUT = "out";

/**
 * Builds a case: its value becomes the ys `out`, seeded via `ysSeeds`. Seeds are
 * xs, which start with the batch axis, so an output without a leading `"B"` is made
 * batch-first: a `"B"` elsewhere is moved first by a reshape, and an unbatched value
 * is broadcast over a batch (whose seed then acts as the sum of its rows).
 */
export function prepare(c: OpCase): PreparedCase {
  const b = new GraphBuilder();
  const inputs: { id: string; kind: "xs" | "params"; shape: readonly Dim[]; spec: InputSpec }[] = [];
  const t: CaseInputs = {
    b,
    x: (id, shape, spec = {}) => (inputs.push({ id, kind: "xs", shape, spec }), b.input(id, shape)),
    p: (id, shape, spec = {}) => (inputs.push({ id, kind: "params", shape, spec }), b.param(id, shape)),
  };
  let out = c.build(t);
  const ops = new Set(b.toGraph().nodes.map((n) => n.op));
  const s = b.shape(out);
  if (s[0] !== "B") {
    if (s.includes("B")) out = b.reshape(out, ["B", ...s.filter((d) => d !== "B")]);
    else out = b.broadcastTo(b.reshape(out, [1, ...s]), t.x("lift", ["B", ...s], { noGrad: true }));
  }
  b.output(OUT, out);
  const forward = b.build(c.name);
  return { forward, vjp: vjpGraph(forward, { ysSeeds: [OUT] }), inputs, ops };
}

function randomTensor(shape: number[], r: () => number, gen: (r: () => number) => number = (r) => 2 * r() - 1): Tensor {
  return { shape, data: Float64Array.from({ length: sizeOf(shape) }, () => gen(r)) };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Checks the VJP graph of a case against central finite differences of
 * `f(inputs) = sum(out * R)` for a random seed R, at one batch size:
 * every element of every continuous input, then `dirs` random directions over all
 * inputs at once (as JAX's `check_grads`). Returns the mismatches, empty when all agree.
 */
export function checkCase(prep: PreparedCase, batch: number, seed: number, dirs = 3): string[] {
  const r = createRng(seed);
  const problems: string[] = [];
  const { forward, vjp } = prep;
  const values = new Map<string, Tensor>();
  for (const i of prep.inputs) values.set(i.id, randomTensor(resolveShape(i.shape, batch), r, i.spec.gen));
  const outValue = forward.graph.ys.find((y) => y.id === OUT)!.value;
  const seedT = randomTensor(resolveShape(forward.shapes.get(outValue)!, batch), r);
  const fwd = new GraphRunner(forward, cpuKernels, "float64");
  const f = (vals: Map<string, Tensor>): number => dot(fwd.run(new Map(vals), batch).get(outValue)!.data, seedT.data);

  const bwd = new GraphRunner(vjp.checked, cpuKernels, "float64");
  const env = bwd.run(new Map([...values, [vjp.seeds.ys[OUT], seedT]]), batch);
  // the gradient of each input, zero where the VJP gives none
  const grads = new Map<string, Float64Array>();
  for (const i of prep.inputs) {
    const id = vjp.grads[i.kind][i.id];
    if (i.spec.noGrad && id !== undefined) problems.push(`${i.id}: expected no gradient, got "${id}"`);
    if (!i.spec.noGrad && id === undefined) problems.push(`${i.id}: no gradient`);
    const g = id === undefined ? undefined : env.get(id)!;
    if (g && g.shape.join() !== values.get(i.id)!.shape.join()) problems.push(`${i.id}: gradient shape [${g.shape}]`);
    grads.set(i.id, g ? Float64Array.from(g.data) : new Float64Array(values.get(i.id)!.data.length));
  }

  const perturbed = (dir: Map<string, Float64Array>, scale: number): Map<string, Tensor> => {
    const m = new Map(values);
    for (const [id, d] of dir) {
      const v = values.get(id)!;
      m.set(id, { shape: v.shape, data: v.data.map((x, k) => x + scale * d[k]) });
    }
    return m;
  };
  const central = (dir: Map<string, Float64Array>): number => (f(perturbed(dir, EPS)) - f(perturbed(dir, -EPS))) / (2 * EPS);

  const continuous = prep.inputs.filter((i) => !i.spec.discrete);
  for (const i of continuous) {
    const n = values.get(i.id)!.data.length;
    for (let k = 0; k < n; k++) {
      const e = new Float64Array(n);
      e[k] = 1;
      const fd = central(new Map([[i.id, e]]));
      const g = grads.get(i.id)![k];
      if (!close(g, fd)) problems.push(`${i.id}[${k}] at batch ${batch}: vjp ${g}, finite differences ${fd}`);
    }
  }
  for (let d = 0; d < dirs && continuous.length > 0; d++) {
    const dir = new Map(continuous.map((i) => [i.id, randomTensor([values.get(i.id)!.data.length], r).data as Float64Array]));
    const fd = central(dir);
    let g = 0;
    for (const [id, v] of dir) g += dot(grads.get(id)!, v);
    if (!close(g, fd)) problems.push(`direction ${d} at batch ${batch}: vjp ${g}, finite differences ${fd}`);
  }
  return problems;
}
