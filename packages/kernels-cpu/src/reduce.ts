import { sizeOf, type Tensor } from "@unroll/ir";

/** The axes a reduction covers, as a set of non-negative axes (all axes when `axes` is absent). */
export function reducedAxes(axes: readonly number[] | undefined, rank: number): Set<number> {
  if (axes === undefined) return new Set(Array.from({ length: rank }, (_, i) => i));
  return new Set(axes.map((a) => (a < 0 ? a + rank : a)));
}

/** Runs of adjacent axes that are all reduced or all kept; axes of size 1 are dropped. */
function mergeAxes(shape: readonly number[], kept: readonly number[]): { size: number; reduced: boolean }[] {
  const runs: { size: number; reduced: boolean }[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const reduced = kept[i] === 1;
    const last = runs[runs.length - 1];
    if (last && last.reduced === reduced) last.size *= d;
    else runs.push({ size: d, reduced });
  });
  return runs;
}

/**
 * Sums `x` into `out` times `scale`, where `kept` is `x`'s shape with every reduced
 * axis set to 1 (same rank as `x`) and `out` holds `sizeOf(kept)` elements in row-major
 * order. Accumulates in float64 whatever the dtype. Reference loop:
 * `out[i mapped to kept] += x[i] for each index i of x; then out *= scale`.
 */
export function reduceInto(x: Tensor, kept: readonly number[], out: Tensor, scale: number): void {
  const src = x.data;
  const acc = new Float64Array(sizeOf(kept));
  const runs = mergeAxes(x.shape, kept);
  const pattern = runs.map((r) => (r.reduced ? "R" : "K")).join("");
  if (pattern === "" || pattern === "K" || pattern === "R" || pattern === "KR") {
    // contiguous row sums: kept rows of `inner` reduced elements
    const inner = pattern.endsWith("R") ? runs[runs.length - 1].size : 1;
    for (let r = 0; r < acc.length; r++) {
      let s = 0;
      for (let j = r * inner, end = j + inner; j < end; j++) s += src[j];
      acc[r] = s;
    }
  } else if (pattern === "RK") {
    // column sums, e.g. a bias gradient [B, H] -> [H]
    const [outer, width] = [runs[0].size, runs[1].size];
    for (let r = 0; r < outer; r++) for (let j = 0; j < width; j++) acc[j] += src[r * width + j];
  } else {
    // general: walk x in order; each merged axis has an output stride, 0 when reduced
    const dims = runs.map((r) => r.size);
    const strides = new Array<number>(runs.length).fill(0);
    for (let i = runs.length - 1, stride = 1; i >= 0; i--) {
      if (!runs[i].reduced) {
        strides[i] = stride;
        stride *= runs[i].size;
      }
    }
    const n = dims.length;
    const width = dims[n - 1];
    const step = strides[n - 1];
    const idx = new Array<number>(n - 1).fill(0);
    let o = 0;
    for (let base = 0, size = src.length; base < size; base += width) {
      for (let j = 0; j < width; j++) acc[o + j * step] += src[base + j];
      for (let d = n - 2; d >= 0; d--) {
        idx[d]++;
        o += strides[d];
        if (idx[d] < dims[d]) break;
        o -= idx[d] * strides[d];
        idx[d] = 0;
      }
    }
  }
  const o = out.data;
  for (let i = 0; i < acc.length; i++) o[i] = acc[i] * scale;
}
