import { OnnxImportError } from "./import-error.js";

// The import follows what each axis of a tensor means, not its size: the graph's sizes T and B are unknown (symbolic)
// until data arrives, so a Reshape is read as merges of whole axes and checked for splits with symbolic products.

/**
 * One factor of an axis. `time` and `batch` have symbolic sizes; `direction`, `hidden` and `features` have the sizes of
 * the tensor they belong to. `x0` and `x1` are the data input's first two axes until a recurrent node's `layout` says
 * which is time and which is batch.
 */
export type Part = "time" | "batch" | "direction" | "hidden" | "features" | "x0" | "x1";

/** An axis: its parts, outermost first (row-major); `[]` is an axis of size 1 that means nothing. */
export type Axis = readonly Part[];

/** The sizes of the parts that have one: `features` may be unknown (the data input's width before a layer reads it). */
export interface PartSizes {
  readonly direction?: number;
  readonly hidden?: number;
  readonly features?: number;
}

/** What `x0` and `x1` turned out to be, once a recurrent node read the data input. */
export type PartBinding = { x0?: "time" | "batch"; x1?: "time" | "batch" };

/** A product of a whole number and symbolic sizes (`2·time·batch`). */
interface Monomial {
  readonly n: number;
  readonly syms: readonly string[];
}

const product = (a: Monomial, b: Monomial): Monomial => ({ n: a.n * b.n, syms: [...a.syms, ...b.syms].sort() });
const equal = (a: Monomial, b: Monomial): boolean => a.n === b.n && a.syms.join("*") === b.syms.join("*");

/** `b / a` when it is a monomial, else undefined. */
function quotient(b: Monomial, a: Monomial): Monomial | undefined {
  if (a.n === 0 || b.n % a.n !== 0) return undefined;
  const rest = [...b.syms];
  for (const s of a.syms) {
    const i = rest.indexOf(s);
    if (i < 0) return undefined;
    rest.splice(i, 1);
  }
  return { n: b.n / a.n, syms: rest };
}

/** `time` or `batch` for a bound `x0`/`x1`, the part itself otherwise. */
export function resolvePart(p: Part, binding: PartBinding): Part {
  return p === "x0" || p === "x1" ? (binding[p] ?? p) : p;
}

function partSize(p: Part, sizes: PartSizes, binding: PartBinding): Monomial {
  const r = resolvePart(p, binding);
  if (r === "time" || r === "batch" || r === "x0" || r === "x1") return { n: 1, syms: [r] };
  const n = sizes[r as keyof PartSizes];
  return n === undefined ? { n: 1, syms: [r] } : { n, syms: [] };
}

/** Whether a part has size 1 (a unidirectional layer's `direction`, a hidden size of 1): it can be dropped or added freely. */
export function isUnitPart(p: Part, sizes: PartSizes): boolean {
  return (p === "direction" || p === "hidden" || p === "features") && sizes[p] === 1;
}

/** The parts of an axis that are not of size 1, resolved: what the axis means. */
export function meaningOf(axis: Axis, sizes: PartSizes, binding: PartBinding): Part[] {
  return axis.filter((p) => !isUnitPart(p, sizes)).map((p) => resolvePart(p, binding));
}

/** An axis for messages: `time`, `direction×hidden`, `1`. */
export function axisText(axis: Axis, binding: PartBinding = {}): string {
  return axis.length === 0 ? "1" : axis.map((p) => resolvePart(p, binding)).join("×");
}

/** Axes for messages: `[time, batch, direction×hidden]`. */
export function axesText(axes: readonly Axis[], binding: PartBinding = {}): string {
  return `[${axes.map((a) => axisText(a, binding)).join(", ")}]`;
}

/** An axis index of a tensor of `rank` axes, negative ones counted from the end; an error naming `what` if out of range. */
export function normalizeAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new OnnxImportError(`${what}: axis ${axis} is out of range for ${rank} axes`);
  return a;
}

/** Transpose: output axis i is input axis perm[i] (ONNX's default perm reverses the axes). */
export function transposeAxes(axes: readonly Axis[], perm: readonly number[] | undefined, where: string): Axis[] {
  const p = perm ?? axes.map((_, i) => axes.length - 1 - i);
  const sorted = [...p].sort((a, b) => a - b);
  if (p.length !== axes.length || sorted.some((v, i) => v !== i)) {
    throw new OnnxImportError(`${where}: attribute "perm" [${p.join(", ")}] is not a permutation of ${axes.length} axes`);
  }
  return p.map((i) => axes[i]);
}

/** Squeeze: removes the given axes, each of which must have size 1. */
export function squeezeAxes(axes: readonly Axis[], remove: readonly number[], sizes: PartSizes, binding: PartBinding, where: string): Axis[] {
  const drop = new Set(remove.map((a) => normalizeAxis(a, axes.length, where)));
  for (const i of drop) {
    const meaning = meaningOf(axes[i], sizes, binding);
    if (meaning.length > 0) throw new OnnxImportError(`${where}: squeezes axis ${i} (${axisText(axes[i], binding)}), which does not have size 1`);
  }
  return axes.filter((_, i) => !drop.has(i));
}

/** Unsqueeze: inserts axes of size 1 at the given positions of the output. */
export function unsqueezeAxes(axes: readonly Axis[], insert: readonly number[], where: string): Axis[] {
  const rank = axes.length + insert.length;
  const at = new Set(insert.map((a) => normalizeAxis(a, rank, where)));
  if (at.size !== insert.length) throw new OnnxImportError(`${where}: repeats an axis in [${insert.join(", ")}]`);
  const out: Axis[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? [] : axes[k++]);
  return out;
}

/** Flatten: `[d0 × … × d(axis−1), d(axis) × … ]`. */
export function flattenAxes(axes: readonly Axis[], axis: number, where: string): Axis[] {
  const a = axis < 0 ? axis + axes.length : axis;
  if (a < 0 || a > axes.length) throw new OnnxImportError(`${where}: attribute "axis" ${axis} is out of range for ${axes.length} axes`);
  return [axes.slice(0, a).flat(), axes.slice(a).flat()];
}

/**
 * Reshape to `target` (ONNX's: 0 copies the input's dim at that index, −1 takes what is left). Read as merges of whole
 * axes: each output axis is a run of consecutive input parts. An output that would cut a part (split the time axis, or
 * mix the batch into the features) is an error naming the node.
 */
export function reshapeAxes(
  axes: readonly Axis[],
  target: readonly number[],
  sizes: PartSizes,
  binding: PartBinding,
  where: string,
  allowzero = false,
): Axis[] {
  const axisSize = (axis: Axis): Monomial => axis.map((p) => partSize(p, sizes, binding)).reduce(product, { n: 1, syms: [] });
  const total = axes.map(axisSize).reduce(product, { n: 1, syms: [] });
  const dims: (Monomial | undefined)[] = target.map((d, i) => {
    if (d === 0 && !allowzero) {
      if (i >= axes.length) throw new OnnxImportError(`${where}: shape [${target.join(", ")}] copies dim ${i} (0), but the input has ${axes.length} axes`);
      return axisSize(axes[i]);
    }
    if (d === -1) return undefined;
    if (!Number.isInteger(d) || d < 1) throw new OnnxImportError(`${where}: shape [${target.join(", ")}] has a dim ${d}`);
    return { n: d, syms: [] };
  });
  const unknown = dims.filter((d) => d === undefined).length;
  if (unknown > 1) throw new OnnxImportError(`${where}: shape [${target.join(", ")}] has more than one -1`);
  if (unknown === 1) {
    const known = dims.filter((d): d is Monomial => d !== undefined).reduce(product, { n: 1, syms: [] });
    const rest = quotient(total, known);
    if (!rest) throw new OnnxImportError(`${where}: shape [${target.join(", ")}] does not divide the input ${axesText(axes, binding)}`);
    dims[dims.indexOf(undefined)] = rest;
  }
  const parts = axes.flat();
  const out: Part[][] = [];
  let k = 0;
  const cut = (): never => {
    throw new OnnxImportError(
      `${where}: shape [${target.join(", ")}] splits an axis of the input ${axesText(axes, binding)}; unroll's import reads a Reshape that merges or keeps whole axes`,
    );
  };
  for (const dim of dims as Monomial[]) {
    const group: Part[] = [];
    let size: Monomial = { n: 1, syms: [] };
    // a dim of 1 takes one part of size 1 if the next is one, else it is a new axis of size 1
    if (dim.n === 1 && dim.syms.length === 0) {
      if (k < parts.length && isUnitPart(parts[k], sizes)) group.push(parts[k++]);
      out.push(group);
      continue;
    }
    while (!equal(size, dim)) {
      if (k >= parts.length) cut();
      size = product(size, partSize(parts[k], sizes, binding));
      group.push(parts[k++]);
      if (!quotient(dim, size)) cut();
    }
    out.push(group);
  }
  // parts of size 1 left at the end join the last axis
  while (k < parts.length && isUnitPart(parts[k], sizes)) (out[out.length - 1] ?? (out[0] = [])).push(parts[k++]);
  if (k < parts.length) cut();
  return out;
}
