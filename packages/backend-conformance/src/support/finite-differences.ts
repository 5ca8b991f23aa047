import type { Tensor } from "@unroll/ir";
import { formatIndex, type Layout } from "./compare.js";
import { randomTensor } from "./tensors.js";
import { FD_STEP, FD_TOLERANCE, isClose } from "./tolerance.js";

/**
 * Up to `k` distinct indices below `n`, always the first and the last, the rest
 * drawn from `rand`: several elements of every tensor, at a fraction of the cost.
 */
export function sampleIndices(n: number, k: number, rand: () => number): number[] {
  if (n <= k) return [...Array(n).keys()];
  const picked = new Set([0, n - 1]);
  while (picked.size < k) picked.add(Math.floor(rand() * n));
  return [...picked].sort((a, b) => a - b);
}

/** `(f(+h) - f(-h)) / 2h` where `shift(s)` moves the input by s times a direction and `shift(0)` restores it. */
async function central(shift: (s: number) => void, objective: () => Promise<number>): Promise<number> {
  shift(FD_STEP);
  const up = await objective();
  shift(-FD_STEP);
  const down = await objective();
  shift(0);
  return (up - down) / (2 * FD_STEP);
}

/**
 * Checks chosen elements of `analytic` against central differences of
 * `objective` with respect to the same elements of `wrt`, which is perturbed in
 * place and restored. Returns one line per mismatch, naming the element by its
 * position in `layout`.
 */
export async function elementMismatches(
  label: string,
  wrt: Tensor,
  analytic: Tensor | undefined,
  indices: readonly number[],
  objective: () => Promise<number>,
  layout: Layout = "plain",
): Promise<string[]> {
  if (!analytic) return [`${label}: no gradient`];
  if (analytic.shape.join() !== wrt.shape.join()) return [`${label}: gradient shape [${analytic.shape.join(", ")}], expected [${wrt.shape.join(", ")}]`];
  const bad: string[] = [];
  for (const i of indices) {
    const old = wrt.data[i];
    const numeric = await central((s) => (wrt.data[i] = old + s), objective);
    if (!isClose(analytic.data[i], numeric, FD_TOLERANCE))
      bad.push(`${label}${formatIndex(wrt.shape, i, layout)}: analytic ${analytic.data[i]}, finite differences ${numeric}`);
  }
  return bad;
}

/**
 * Checks `analytic` along `count` random directions over all of `wrt` at once
 * (as JAX's `check_grads`): `Σ analytic · d` against the central difference of
 * `objective` along d. Catches an error in any element, not only sampled ones.
 */
export async function directionMismatches(
  label: string,
  wrt: Readonly<Record<string, Tensor>>,
  analytic: Readonly<Record<string, Tensor>>,
  count: number,
  rand: () => number,
  objective: () => Promise<number>,
): Promise<string[]> {
  const bad: string[] = [];
  const names = Object.keys(wrt).filter((n) => analytic[n]);
  const saved = new Map(names.map((n) => [n, wrt[n].data.slice()] as const));
  for (let k = 0; k < count; k++) {
    const dir = new Map(names.map((n) => [n, randomTensor(wrt[n].shape, rand).data] as const));
    const shift = (s: number): void => {
      for (const n of names) {
        const base = saved.get(n)!;
        const d = dir.get(n)!;
        const data = wrt[n].data;
        for (let i = 0; i < data.length; i++) data[i] = base[i] + s * d[i];
      }
    };
    const numeric = await central(shift, objective);
    let dot = 0;
    for (const n of names) {
      const g = analytic[n].data;
      const d = dir.get(n)!;
      for (let i = 0; i < g.length; i++) dot += g[i] * d[i];
    }
    if (!isClose(dot, numeric, FD_TOLERANCE)) bad.push(`${label}, random direction ${k}: analytic ${dot}, finite differences ${numeric}`);
  }
  return bad;
}
