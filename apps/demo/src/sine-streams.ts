import { allocate } from "@unroll/ir";
import { createRng, type SequenceData } from "@unroll/bptt";
import type { StreamSource } from "@unroll/demo-kit";

/** Period of the sine wave, in steps. */
export const PERIOD = 20;
/** Standard deviation of the noise added to every observation. */
export const NOISE = 0.1;

/**
 * B noisy sine waves of one period and random phases, as parallel streams:
 * the input is the observation at t, the target the observation at t + 1.
 *
 * ```
 * v[b][t] = sin(2π (t + φ_b) / P) + σ ε;  x[t][b] = v[b][t];  y[t][b] = v[b][t + 1]
 * ```
 */
export class SineStreams implements StreamSource {
  /** Noiseless wave of each stream, `[B][L + 1]`. */
  readonly clean: Float64Array[] = [];
  /** Observations of each stream, `[B][L + 1]`. */
  readonly noisy: Float64Array[] = [];

  constructor(
    /** Number of streams B. */
    readonly batch: number,
    /** Steps per stream L. */
    readonly length: number,
    seed: number,
  ) {
    const rng = createRng(seed);
    // Box–Muller: a standard normal from two uniforms
    const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    for (let b = 0; b < batch; b++) {
      const phase = rng() * PERIOD;
      const clean = Float64Array.from({ length: length + 1 }, (_, t) => Math.sin((2 * Math.PI * (t + phase)) / PERIOD));
      this.clean.push(clean);
      this.noisy.push(clean.map((v) => v + NOISE * normal()));
    }
  }

  /** Observations `x [T, B, 1]` and next observations `y [T, B, 1]` for steps `[start, end)`. */
  slice(start: number, end: number): SequenceData {
    const T = end - start;
    const B = this.batch;
    const x = allocate("float32", T * B);
    const y = allocate("float32", T * B);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        x[t * B + b] = this.noisy[b][start + t];
        y[t * B + b] = this.noisy[b][start + t + 1];
      }
    }
    return { sequences: { x: { shape: [T, B, 1], data: x }, y: { shape: [T, B, 1], data: y } } };
  }
}
