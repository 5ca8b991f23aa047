import { blockShape, sizeOf, type Initializer, type LeafInitializer } from "@unroll/ir";
import { orthogonalMatrix } from "./orthogonal.js";

/** Standard normal draws from a uniform generator on [0, 1), by Box-Muller (one draw per pair of uniforms). */
export function normalFrom(rng: () => number): () => number {
  // 1 - u lies in (0, 1], so the logarithm is finite
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/**
 * Fan-in and fan-out of a parameter, as Keras: a vector `[n]` has both n;
 * otherwise fan_out is the last axis and fan_in the product of the others.
 */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length <= 1) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };
  const fanOut = shape[shape.length - 1];
  return { fanIn: sizeOf(shape) / fanOut, fanOut };
}

/** The values of one tensor of `shape` from a non-block-wise initializer, row-major, in float64. */
function leafValues(init: LeafInitializer, shape: readonly number[], rng: () => number): Float64Array {
  const out = new Float64Array(sizeOf(shape));
  switch (init.kind) {
    case "zeros":
      return out;
    case "constant":
      return out.fill(init.value);
    case "uniform":
      for (let i = 0; i < out.length; i++) out[i] = init.low + (init.high - init.low) * rng();
      return out;
    case "normal": {
      const normal = normalFrom(rng);
      for (let i = 0; i < out.length; i++) out[i] = (init.mean ?? 0) + init.std * normal();
      return out;
    }
    case "glorotUniform": {
      const { fanIn, fanOut } = fans(shape);
      const bound = (init.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < out.length; i++) out[i] = (2 * rng() - 1) * bound;
      return out;
    }
    case "orthogonal": {
      const q = orthogonalMatrix(shape[0], shape[1], normalFrom(rng));
      for (let i = 0; i < out.length; i++) out[i] = (init.gain ?? 1) * q[i];
      return out;
    }
  }
}

/**
 * The values of a tensor of `shape` from an initializer (checked to fit by
 * `checkProgram`), row-major, in float64, drawing from `rng`. Blocks are
 * filled in order, each as a tensor of its own.
 */
export function initValues(init: Initializer, shape: readonly number[], rng: () => number): Float64Array {
  if (init.kind !== "blocks") return leafValues(init, shape, rng);
  const out = new Float64Array(sizeOf(shape));
  const last = shape[shape.length - 1];
  const width = last / init.blocks.length;
  const rows = out.length / last;
  init.blocks.forEach((block, k) => {
    const values = leafValues(block, blockShape(shape, init.blocks.length), rng);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < width; c++) out[r * last + k * width + c] = values[r * width + c];
    }
  });
  return out;
}
