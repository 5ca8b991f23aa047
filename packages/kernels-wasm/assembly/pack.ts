import { flush1, flush4 } from "./simd";

// Packing copies a kc-deep slice of op(X) into `width`-wide panels, k-major:
// dst[p*width + j] = op(X)[p, j], zero-padded from w up to width, denormals flushed.
// Both operands use the same two routines: a panel's lanes are either contiguous in
// memory ("contig": NN's B, TN's A) or strided rows that need a 4×4 transpose ("rows":
// NN's A, NT's B).

/** Packs kc rows of w (<= width) contiguous floats, `stride` bytes apart, into one panel. */
export function packContig(dst: usize, src: usize, stride: usize, kc: i32, w: i32, width: i32): void {
  if (w == width) {
    const bytes = <usize>width << 2;
    for (let p = 0; p < kc; p++) {
      for (let g: usize = 0; g < bytes; g += 16) v128.store(dst + g, flush4(v128.load(src + g)));
      dst += bytes;
      src += stride;
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    let j = 0;
    for (; j < w; j++) store<f32>(dst + (<usize>j << 2), flush1(load<f32>(src + (<usize>j << 2))));
    for (; j < width; j++) store<f32>(dst + (<usize>j << 2), 0);
    dst += <usize>width << 2;
    src += stride;
  }
}

/** Packs w (<= width) rows of kc contiguous floats, `stride` bytes apart, transposed into one panel. */
export function packRows(dst: usize, src: usize, stride: usize, kc: i32, w: i32, width: i32): void {
  const rowBytes = <usize>width << 2;
  if (w == width) {
    for (let g = 0; g < width; g += 4) {
      const r0 = src + <usize>g * stride;
      const r1 = r0 + stride;
      const r2 = r1 + stride;
      const r3 = r2 + stride;
      let d = dst + (<usize>g << 2);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        const x0 = v128.load(r0 + o);
        const x1 = v128.load(r1 + o);
        const x2 = v128.load(r2 + o);
        const x3 = v128.load(r3 + o);
        // 4×4 transpose: y_q = (x0[q], x1[q], x2[q], x3[q])
        const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
        const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
        const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
        v128.store(d, flush4(v128.shuffle<f32>(t0, t2, 0, 1, 4, 5)));
        d += rowBytes;
        v128.store(d, flush4(v128.shuffle<f32>(t0, t2, 2, 3, 6, 7)));
        d += rowBytes;
        v128.store(d, flush4(v128.shuffle<f32>(t1, t3, 0, 1, 4, 5)));
        d += rowBytes;
        v128.store(d, flush4(v128.shuffle<f32>(t1, t3, 2, 3, 6, 7)));
        d += rowBytes;
      }
      for (; p < kc; p++) {
        const o = <usize>p << 2;
        store<f32>(d, flush1(load<f32>(r0 + o)));
        store<f32>(d, flush1(load<f32>(r1 + o)), 4);
        store<f32>(d, flush1(load<f32>(r2 + o)), 8);
        store<f32>(d, flush1(load<f32>(r3 + o)), 12);
        d += rowBytes;
      }
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    const o = <usize>p << 2;
    let j = 0;
    for (; j < w; j++) store<f32>(dst + (<usize>j << 2), flush1(load<f32>(src + <usize>j * stride + o)));
    for (; j < width; j++) store<f32>(dst + (<usize>j << 2), 0);
    dst += rowBytes;
  }
}
