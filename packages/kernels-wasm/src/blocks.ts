/** Which operands of a product are copied into wasm memory (the rest are arena views). */
export interface Staged {
  readonly a: boolean;
  readonly b: boolean;
  readonly c: boolean;
}

/** Sizes of the sub-products a staged product is cut into: op(A) is bm×bk, op(B) bk×bn, C bm×bn. */
export interface Blocks {
  readonly bm: number;
  readonly bn: number;
  readonly bk: number;
}

/** Floats per staged block after rounding each to 16 (64-byte alignment). */
export const ALIGN_FLOATS = 16;

/** Rounds `x` up to a multiple of `to`. */
export const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;

/** Floats of staging one block of each staged operand needs. */
export function stagedFloats({ bm, bn, bk }: Blocks, staged: Staged): number {
  return (staged.a ? roundUp(bm * bk, ALIGN_FLOATS) : 0) + (staged.b ? roundUp(bk * bn, ALIGN_FLOATS) : 0) + (staged.c ? roundUp(bm * bn, ALIGN_FLOATS) : 0);
}

/** Smallest block edge the planner shrinks to; 3 staged 8×8 blocks always fit the minimum staging. */
export const MIN_EDGE = 8;

/**
 * Block sizes whose staged operands fit in `capacity` floats: the whole product when it fits
 * (one copy in, one call, one copy out), else the largest edge that matters is halved until
 * it does. Blocks stay large (about √(capacity/3) per edge), so copies remain O(n²) per O(n³).
 */
export function planBlocks(m: number, n: number, k: number, staged: Staged, capacity: number): Blocks {
  let blocks: Blocks = { bm: m, bn: n, bk: k };
  while (stagedFloats(blocks, staged) > capacity) {
    const { bm, bn, bk } = blocks;
    // an edge matters when some staged operand spans it
    const edges: [keyof Blocks, number][] = [];
    if (staged.a || staged.c) edges.push(["bm", bm]);
    if (staged.b || staged.c) edges.push(["bn", bn]);
    if (staged.a || staged.b) edges.push(["bk", bk]);
    const shrinkable = edges.filter(([, v]) => v > MIN_EDGE).sort((x, y) => y[1] - x[1]);
    if (shrinkable.length === 0) break;
    const [name, v] = shrinkable[0];
    blocks = { ...blocks, [name]: Math.max(MIN_EDGE, roundUp(Math.ceil(v / 2), MIN_EDGE)) };
  }
  return blocks;
}
