import { normalizeAxes, sizeOf, type Node } from "@unroll/ir";
import type { GpuBuf } from "./gpu-buffer.js";
import { f32Bits, type GpuQueue } from "./gpu-queue.js";
import { MAX_RANK } from "./kernels/prelude.js";
import {
  ACCUMULATE,
  COPY,
  COPY_LAYOUT,
  FILL,
  GATHER,
  LOG_SOFTMAX,
  MATMUL,
  MSE,
  ONE_HOT,
  REDUCE,
  REDUCE_LAYOUT,
  SOFTMAX,
  SOFTMAX_CROSS_ENTROPY,
  TILE,
} from "./kernels/sources.js";
import { broadcastStrides, collapse, rowMajor } from "./kernels/strided.js";

/** Records `buf ← value`. */
export function fill(q: GpuQueue, buf: GpuBuf, value: number): void {
  q.dispatchLinear(FILL, [buf.size, buf.offset, f32Bits(value)]);
}

/** Records `dst ← dst + src`. */
export function accumulate(q: GpuQueue, dst: GpuBuf, src: GpuBuf): void {
  q.dispatchLinear(ACCUMULATE, [dst.size, dst.offset, src.offset]);
}

/** Records a strided copy over the index space `dims`: element `idx` of the source (at `src + Σ idx·srcStrides`) to the destination's. */
export function copyStrided(
  q: GpuQueue,
  dims: readonly number[],
  src: number,
  srcStrides: readonly number[],
  dst: number,
  dstStrides: readonly number[],
): void {
  const n = sizeOf(dims);
  if (n === 0) return;
  const c = collapse(dims, [srcStrides, dstStrides]);
  const words = new Array<number>(COPY_LAYOUT.dstStrides + MAX_RANK).fill(0);
  words[0] = n;
  words[1] = c.dims.length;
  c.dims.forEach((d, a) => {
    words[COPY_LAYOUT.dims + a] = d;
    words[COPY_LAYOUT.srcStrides + a] = c.strides[0][a];
    words[COPY_LAYOUT.dstStrides + a] = c.strides[1][a];
  });
  words[COPY_LAYOUT.srcBase] = src;
  words[COPY_LAYOUT.dstBase] = dst;
  q.dispatchLinear(COPY, words);
}

/** Records `dst ← src` (same size). */
export function copy(q: GpuQueue, src: GpuBuf, dst: GpuBuf): void {
  copyStrided(q, [src.size], src.offset, [1], dst.offset, [1]);
}

/** Records a sum of `x` over `reduced` axes into `out` (kept axes in order), times `scale`. */
function reduce(q: GpuQueue, x: GpuBuf, reduced: ReadonlySet<number>, out: GpuBuf, scale: number): void {
  const strides = rowMajor(x.shape);
  const axes = x.shape.map((_, a) => a);
  const kept = axes.filter((a) => !reduced.has(a));
  const red = axes.filter((a) => reduced.has(a));
  const k = collapse(
    kept.map((a) => x.shape[a]),
    [kept.map((a) => strides[a])],
  );
  const r = collapse(
    red.map((a) => x.shape[a]),
    [red.map((a) => strides[a])],
  );
  const L = REDUCE_LAYOUT;
  const words = new Array<number>(L.scale + 1).fill(0);
  words[0] = out.size;
  words[L.keptRank] = k.dims.length;
  k.dims.forEach((d, a) => ((words[L.keptDims + a] = d), (words[L.keptStrides + a] = k.strides[0][a])));
  words[L.redRank] = r.dims.length;
  r.dims.forEach((d, a) => ((words[L.redDims + a] = d), (words[L.redStrides + a] = r.strides[0][a])));
  words[L.count] = red.reduce((p, a) => p * x.shape[a], 1);
  words[L.src] = x.offset;
  words[L.dst] = out.offset;
  words[L.scale] = f32Bits(scale);
  q.dispatchLinear(REDUCE, words);
}

/** The axes a `sum`, `mean` or `countOf` node reduces (all when `axes` is absent, negative from the end), as the IR's shape rules read them. */
function reducedAxes(node: { op: string; attrs?: { axes?: number[] } }, rank: number): Set<number> {
  return new Set(normalizeAxes(node.attrs?.axes, rank, node.op));
}

/** Values of `constant` nodes with a `values` array, uploaded once per node. */
export type ConstantStore = (node: Node & { op: "constant" }) => GpuBuf;

/**
 * Records the kernels of one node that is not elementwise (those run as
 * generated elementwise kernels), with the CPU reference kernels' semantics.
 */
export function encodeNode(q: GpuQueue, node: Node, inputs: readonly GpuBuf[], out: GpuBuf, constants: ConstantStore): void {
  const last = (b: GpuBuf): number => b.shape[b.shape.length - 1] ?? 1;
  switch (node.op) {
    case "matmul": {
      const [a, b] = inputs;
      const tA = node.attrs?.transposeA ?? false;
      const tB = node.attrs?.transposeB ?? false;
      const n = last(out);
      const m = n === 0 ? 0 : out.size / n;
      const lastA = last(a);
      const k = tA ? (lastA === 0 ? 0 : a.size / lastA) : lastA;
      if (out.size === 0) return;
      if (k === 0) return fill(q, out, 0);
      const [ai, ak] = tA ? [1, m] : [k, 1];
      const [bk, bj] = tB ? [1, k] : [n, 1];
      q.dispatch(MATMUL, [m, n, k, a.offset, ai, ak, b.offset, bk, bj, out.offset], Math.ceil(n / TILE), Math.ceil(m / TILE));
      return;
    }
    case "transpose": {
      const [x] = inputs;
      const inStrides = rowMajor(x.shape);
      return copyStrided(
        q,
        out.shape,
        x.offset,
        node.attrs.perm.map((p) => inStrides[p]),
        out.offset,
        rowMajor(out.shape),
      );
    }
    case "slice": {
      const [x] = inputs;
      return copyStrided(q, out.shape, x.offset + node.attrs.start, rowMajor(x.shape), out.offset, rowMajor(out.shape));
    }
    case "pad": {
      const [x] = inputs;
      fill(q, out, 0);
      return copyStrided(q, x.shape, x.offset, rowMajor(x.shape), out.offset + node.attrs.before, rowMajor(out.shape));
    }
    case "concat": {
      let column = 0;
      for (const x of inputs) {
        copyStrided(q, x.shape, x.offset, rowMajor(x.shape), out.offset + column, rowMajor(out.shape));
        column += last(x);
      }
      return;
    }
    case "broadcastTo": {
      const [x] = inputs;
      return copyStrided(q, out.shape, x.offset, broadcastStrides(x.shape, out.shape), out.offset, rowMajor(out.shape));
    }
    case "reshape":
      return copy(q, inputs[0], out);
    case "sum":
      return reduce(q, inputs[0], reducedAxes(node, inputs[0].shape.length), out, 1);
    case "mean": {
      const [x] = inputs;
      const axes = reducedAxes(node, x.shape.length);
      let count = 1;
      for (const a of axes) count *= x.shape[a];
      return reduce(q, x, axes, out, 1 / count);
    }
    case "sumTo": {
      const [x] = inputs;
      const like = [...Array<number>(x.shape.length - out.shape.length).fill(1), ...out.shape];
      const axes = new Set(x.shape.map((_, a) => a).filter((a) => like[a] === 1 && x.shape[a] !== 1));
      return reduce(q, x, axes, out, 1);
    }
    case "countOf": {
      const [x] = inputs;
      let count = 1;
      for (const a of reducedAxes(node, x.shape.length)) count *= x.shape[a];
      return fill(q, out, count);
    }
    case "constant":
      if (node.attrs.values === undefined) return fill(q, out, node.attrs.value ?? 0);
      return copy(q, constants(node), out);
    case "softmax":
    case "logSoftmax": {
      const [x] = inputs;
      const width = last(x);
      return q.dispatchLinear(node.op === "softmax" ? SOFTMAX : LOG_SOFTMAX, [width === 0 ? 0 : x.size / width, width, x.offset, out.offset]);
    }
    case "softmaxCrossEntropy": {
      const [logits, classes] = inputs;
      return q.dispatchLinear(SOFTMAX_CROSS_ENTROPY, [logits.shape[0], logits.shape[1], logits.offset, classes.offset, out.offset]);
    }
    case "mse": {
      const [pred, target] = inputs;
      return q.dispatchLinear(MSE, [pred.shape[0], pred.shape[1], pred.offset, target.offset, out.offset]);
    }
    case "oneHot":
      return q.dispatchLinear(ONE_HOT, [out.size, node.attrs.depth, inputs[0].offset, out.offset]);
    case "gather": {
      const [table, ids] = inputs;
      const vocab = table.shape[0];
      return q.dispatchLinear(GATHER, [out.size, vocab === 0 ? 0 : table.size / vocab, vocab, table.offset, ids.offset, out.offset]);
    }
    default:
      throw new Error(`the webgpu backend has no kernel for "${node.op}" outside an elementwise kernel`);
  }
}
