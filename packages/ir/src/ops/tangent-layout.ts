import { shapesEqual, type Dim, type Shape } from "../shape.js";
import { directionAxis, type VjpBuilder } from "./define.js";

/** The axis of a value's tangent that holds primal axis `axis` (the direction axis shifts the ones at or after it). */
export function tangentAxis(axis: number, shape: Shape): number {
  return axis < directionAxis(shape) ? axis : axis + 1;
}

/** Moves axis `from` of `x` to position `to`: a reshape when only size-1 axes lie between, else a transpose. */
export function moveAxis(b: VjpBuilder, shape: (id: string) => Shape, x: string, from: number, to: number): string {
  if (from === to) return x;
  const s = shape(x);
  const axes = [...s.keys()].filter((a) => a !== from);
  axes.splice(to, 0, from);
  const target = axes.map((a) => s[a]);
  // the axes it passes, which keep their order
  const passed = from < to ? s.slice(from + 1, to + 1) : s.slice(to, from);
  const onlyOnes = s[from] === 1 || passed.every((d) => d === 1);
  return onlyOnes ? b.reshape(x, target) : b.transpose(x, axes);
}

/**
 * `Σ` over the labels shared by `x` and `y` that `out` lacks, of `x · y` with
 * axes matched by label (an einsum by broadcasting): each operand is permuted
 * to the output's order followed by the summed labels, given size-1 axes for
 * the labels it lacks, multiplied and summed. Rules use it where no matmul
 * layout fits; it costs the full broadcast product.
 */
export function einsum(
  b: VjpBuilder,
  shape: (id: string) => Shape,
  x: string,
  xLabels: readonly string[],
  y: string,
  yLabels: readonly string[],
  outLabels: readonly string[],
): string {
  const summed = [...new Set([...xLabels, ...yLabels])].filter((l) => !outLabels.includes(l));
  const order = [...outLabels, ...summed];
  const place = (v: string, labels: readonly string[]): string => {
    const present = order.filter((l) => labels.includes(l));
    const perm = present.map((l) => labels.indexOf(l));
    const t = perm.every((p, i) => p === i) ? v : b.transpose(v, perm);
    const s = shape(t);
    const full: Dim[] = order.map((l) => (labels.includes(l) ? s[present.indexOf(l)] : 1));
    return shapesEqual(full, s) ? t : b.reshape(t, full);
  };
  const product = b.mul(place(x, xLabels), place(y, yLabels));
  return summed.length === 0 ? product : b.sum(product, { axes: summed.map((_, i) => outLabels.length + i) });
}
