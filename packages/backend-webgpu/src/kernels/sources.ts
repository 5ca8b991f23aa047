import { ERROR_CODES, linearKernel, MAX_RANK, PRELUDE } from "./prelude.js";

// The fixed kernels. Each comment gives its parameter words in `meta` order; `gpu-device.ts` packs them so.

/** `data[dst + i] = value`: n, dst, value. */
export const FILL = linearKernel(`  data[m(1u) + i] = mf(2u);`);

/** `data[dst + i] += data[src + i]`: n, dst, src. */
export const ACCUMULATE = linearKernel(`  data[m(1u) + i] = data[m(1u) + i] + data[m(2u) + i];`);

const R = MAX_RANK;
/** Where the strided copy's words start: n, rank, dims[R], src base, src strides[R], dst base, dst strides[R]. */
export const COPY_LAYOUT = { dims: 2, srcBase: 2 + R, srcStrides: 3 + R, dstBase: 3 + 2 * R, dstStrides: 4 + 2 * R } as const;
/** A strided copy over an index space of up to R axes: transposes, slices, pads, concatenations, broadcasts and reshapes are all this kernel. */
export const COPY = linearKernel(
  `  let rank = m(1u);
  let src = strided(i, rank, ${COPY_LAYOUT.dims}u, m(${COPY_LAYOUT.srcBase}u), ${COPY_LAYOUT.srcStrides}u);
  let dst = strided(i, rank, ${COPY_LAYOUT.dims}u, m(${COPY_LAYOUT.dstBase}u), ${COPY_LAYOUT.dstStrides}u);
  data[dst] = data[src];`,
);

/** The reduction's words: n out, kept rank, kept dims[R], kept strides[R], reduced rank, reduced dims[R], reduced strides[R], count, src, dst, scale. */
export const REDUCE_LAYOUT = {
  keptRank: 1,
  keptDims: 2,
  keptStrides: 2 + R,
  redRank: 2 + 2 * R,
  redDims: 3 + 2 * R,
  redStrides: 3 + 3 * R,
  count: 3 + 4 * R,
  src: 4 + 4 * R,
  dst: 5 + 4 * R,
  scale: 6 + 4 * R,
} as const;
const L = REDUCE_LAYOUT;
/**
 * Sums (times a scale) over the reduced axes, one thread per output element,
 * compensated (Kahan) so that long sums stay near the float64 reference's.
 */
export const REDUCE = linearKernel(
  `  let base = strided(i, m(${L.keptRank}u), ${L.keptDims}u, m(${L.src}u), ${L.keptStrides}u);
  let count = m(${L.count}u);
  let rank = m(${L.redRank}u);
  var s = 0.0;
  var c = 0.0;
  for (var r = 0u; r < count; r++) {
    let y = data[strided(r, rank, ${L.redDims}u, base, ${L.redStrides}u)] - c;
    let t = s + y;
    c = (t - s) - y;
    s = t;
  }
  data[m(${L.dst}u) + i] = s * mf(${L.scale}u);`,
);

/** Side of the matrix product's square tiles. */
export const TILE = 16;
/**
 * `C = op(A)·op(B)` with workgroup-shared 16×16 tiles of A and B: M, N, K,
 * A base, A row stride, A column stride, B base, B row stride, B column stride, C base.
 * Transposed operands are read in place through their strides.
 */
export const MATMUL = `${PRELUDE}
var<workgroup> tile_a: array<f32, ${TILE * TILE}>;
var<workgroup> tile_b: array<f32, ${TILE * TILE}>;
@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  let rows = m(0u); let cols = m(1u); let depth = m(2u);
  let row = w.y * ${TILE}u + l.y;
  let col = w.x * ${TILE}u + l.x;
  var acc = 0.0;
  for (var t = 0u; t < depth; t += ${TILE}u) {
    let pa = t + l.x;
    var va = 0.0;
    if (row < rows && pa < depth) { va = data[m(3u) + row * m(4u) + pa * m(5u)]; }
    tile_a[l.y * ${TILE}u + l.x] = va;
    let pb = t + l.y;
    var vb = 0.0;
    if (pb < depth && col < cols) { vb = data[m(6u) + pb * m(7u) + col * m(8u)]; }
    tile_b[l.y * ${TILE}u + l.x] = vb;
    workgroupBarrier();
    for (var q = 0u; q < ${TILE}u; q++) { acc += tile_a[l.y * ${TILE}u + q] * tile_b[q * ${TILE}u + l.x]; }
    workgroupBarrier();
  }
  if (row < rows && col < cols) { data[m(9u) + row * cols + col] = acc; }
}`;

// Row kernels: one thread per row of the last axis. Words: rows, width, then the operands' offsets.
const ROW_MAX = /* wgsl */ `
fn row_max(start: u32, width: u32) -> f32 {
  var mx = data[start];
  for (var j = 1u; j < width; j++) { let v = data[start + j]; if (v > mx || is_nan(v)) { mx = v; } }
  return mx;
}
fn row_lse(start: u32, width: u32, mx: f32) -> f32 {
  var s = 0.0;
  for (var j = 0u; j < width; j++) { s += exp(data[start + j] - mx); }
  return log(s);
}`;

/** Softmax over the last axis: rows, width, src, dst. */
export const SOFTMAX = linearKernel(
  `  let width = m(1u); let src = m(2u) + i * width; let dst = m(3u) + i * width;
  let mx = row_max(src, width);
  var s = 0.0;
  for (var j = 0u; j < width; j++) { let e = exp(data[src + j] - mx); data[dst + j] = e; s += e; }
  for (var j = 0u; j < width; j++) { data[dst + j] = data[dst + j] / s; }`,
  ROW_MAX,
);

/** Log-softmax over the last axis: rows, width, src, dst. */
export const LOG_SOFTMAX = linearKernel(
  `  let width = m(1u); let src = m(2u) + i * width; let dst = m(3u) + i * width;
  let mx = row_max(src, width);
  let lse = row_lse(src, width, mx);
  for (var j = 0u; j < width; j++) { data[dst + j] = data[src + j] - mx - lse; }`,
  ROW_MAX,
);

/** Per-row cross-entropy of logits against class ids: rows, width, logits, classes, dst. */
export const SOFTMAX_CROSS_ENTROPY = linearKernel(
  `  let width = m(1u); let src = m(2u) + i * width;
  let c = data[m(3u) + i];
  if (!valid_id(c, width)) { report_error(${ERROR_CODES.softmaxCrossEntropy}.0, i, c, width); data[m(4u) + i] = 0.0; return; }
  let mx = row_max(src, width);
  data[m(4u) + i] = row_lse(src, width, mx) - (data[src + u32(c)] - mx);`,
  ROW_MAX,
);

/** Per-row mean squared error: rows, width, prediction, target, dst. */
export const MSE = linearKernel(
  `  let width = m(1u); let p = m(2u) + i * width; let t = m(3u) + i * width;
  var s = 0.0;
  for (var j = 0u; j < width; j++) { let d = data[p + j] - data[t + j]; s += d * d; }
  data[m(4u) + i] = s / f32(width);`,
);

/** One-hot rows from class ids, one thread per output element: n, depth, classes, dst. */
export const ONE_HOT = linearKernel(
  `  let depth = m(1u); let r = i / depth; let j = i % depth;
  let c = data[m(2u) + r];
  if (!valid_id(c, depth)) { report_error(${ERROR_CODES.oneHot}.0, r, c, depth); data[m(3u) + i] = 0.0; return; }
  data[m(3u) + i] = select(0.0, 1.0, u32(c) == j);`,
);

/** Rows of a table by ids, one thread per output element: n, width, vocabulary, table, ids, dst. */
export const GATHER = linearKernel(
  `  let width = m(1u); let r = i / width; let j = i % width;
  let id = data[m(4u) + r];
  if (!valid_id(id, m(2u))) { report_error(${ERROR_CODES.gather}.0, r, id, m(2u)); data[m(5u) + i] = 0.0; return; }
  data[m(5u) + i] = data[m(3u) + u32(id) * width + j];`,
);
