import type { OnnxAxis } from "./onnx-import-types.js";

/** The size of each part of a tensor's axes. */
export type PartSizeTable = Readonly<Partial<Record<OnnxAxis[number], number>>>;

/** The dims of a tensor with these axes: each axis is the product of its parts' sizes. */
export function dimsOf(axes: readonly OnnxAxis[], sizes: PartSizeTable, what: string): number[] {
  return axes.map((ax) =>
    ax.reduce((n, p) => {
      const s = sizes[p];
      if (s === undefined) throw new Error(`${what}: the size of its ${p} axis is unknown`);
      return n * s;
    }, 1),
  );
}

/**
 * Visits every element of a tensor with these axes in row-major order, with the index of each part (a part the axes
 * do not hold is at 0, which `required` checks is its only index).
 */
export function forEachElement(
  axes: readonly OnnxAxis[],
  sizes: PartSizeTable,
  required: readonly OnnxAxis[number][],
  what: string,
  visit: (i: number, at: Readonly<Record<string, number>>) => void,
): void {
  // the parts of all axes, outermost first, enumerate the elements in row-major order
  const parts = axes.flat();
  for (const p of required) {
    const n = parts.filter((q) => q === p).length;
    if (n > 1 || (n === 0 && (sizes[p] ?? 1) !== 1)) throw new Error(`${what}: its axes [${axes.map((a) => a.join("×")).join(", ")}] must hold ${p} once`);
  }
  const dims = parts.map((p) => sizes[p] ?? 1);
  const total = dims.reduce((a, b) => a * b, 1);
  const at: Record<string, number> = Object.fromEntries(required.map((p) => [p, 0]));
  const index = dims.map(() => 0);
  for (let i = 0; i < total; i++) {
    parts.forEach((p, k) => (at[p] = index[k]));
    visit(i, at);
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++index[k] < dims[k]) break;
      index[k] = 0;
    }
  }
}
