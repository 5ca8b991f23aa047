import { allocate, dtypeOf, resolveShape, sizeOf, type CheckedProgram, type Dtype, type Tensor } from "@unroll/ir";
import { InputError } from "./input-error.js";
import { dataSize, type SequenceData } from "./data.js";

/**
 * Which dropout masks a run uses: a training draw, keyed by `seed` and `draw`
 * (a new draw per optimizer step gives new masks), or `"off"`, evaluation,
 * where every mask is 1.
 */
export type DropoutMode = DropoutDraw | "off";

/** One training draw of a program's dropout masks; see {@link dropoutMasks}. */
export interface DropoutDraw {
  /** The run's seed, a whole number in [0, 2^32). */
  readonly seed: number;
  /** Which draw under that seed (the `Trainer` uses its pass count), a whole number in [0, 2^32). */
  readonly draw: number;
}

/** The seed of training's dropout masks when none is given (`Trainer`'s `dropoutSeed`, `unroll train --dropout-seed`). */
export const DEFAULT_DROPOUT_SEED = 0;

/** One round of murmur3's 32-bit block mixing: folds the word `k` into the hash `h`. */
function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3's finalizer: every input bit affects every output bit. */
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 32-bit hash of a mask's name, so that each mask of a program draws its own numbers. */
function nameKey(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = mix(h, name.charCodeAt(i));
  return fmix(h ^ name.length);
}

/** Throws unless `n` is a whole number in [0, 2^32). */
function checkWord(n: number, what: string): void {
  if (!(Number.isInteger(n) && n >= 0 && n < 2 ** 32)) throw new InputError(`dropout ${what} must be a whole number from 0 to ${2 ** 32 - 1}, got ${n}`);
}

/**
 * The dropout masks of a program for `steps` × `batch`, by mask name, each
 * `[T, B, ...]`. An element is kept with probability 1 - rate, as
 * `1/(1-rate)`, else 0; it is a counter-based hash of (seed, draw, mask name,
 * batch row, step, element), so it does not depend on how a backend splits
 * the batch or in what order it fills. A variational mask uses step 0 for
 * every step. With `"off"` every element is 1. `firstStep` is the step of the
 * whole sequence that `t = 0` is (a chunk of a stream).
 *
 * ```
 * for t, b, j: u = hash(seed, draw, name, b, variational ? 0 : t, j) / 2^32
 *              mask[t, b, j] = u < rate ? 0 : 1 / (1 - rate)
 * ```
 */
export function dropoutMasks(program: CheckedProgram, steps: number, batch: number, dtype: Dtype, mode: DropoutMode, firstStep = 0): Record<string, Tensor> {
  if (mode !== "off") {
    checkWord(mode.seed, "seed");
    checkWord(mode.draw, "draw");
  }
  const out: Record<string, Tensor> = {};
  for (const [name, info] of Object.entries(program.dropout)) {
    const row = sizeOf(resolveShape(info.shape, 1));
    const shape = [steps, ...resolveShape(info.shape, batch)];
    const data = allocate(dtype, sizeOf(shape));
    out[name] = { shape, data };
    if (mode === "off") {
      data.fill(1);
      continue;
    }
    const scale = 1 / (1 - info.rate);
    const base = mix(mix(mix(0, mode.seed), mode.draw), nameKey(name));
    const perStep = batch * row;
    const drawnSteps = info.variational ? Math.min(steps, 1) : steps;
    for (let t = 0; t < drawnSteps; t++) {
      for (let b = 0; b < batch; b++) {
        const key = mix(mix(base, b), info.variational ? 0 : firstStep + t);
        for (let j = 0; j < row; j++) {
          const u = fmix(mix(key, j) ^ 6) / 2 ** 32;
          data[t * perStep + b * row + j] = u < info.rate ? 0 : scale;
        }
      }
    }
    // a variational mask: step 0's mask at every step
    for (let t = drawnSteps; t < steps; t++) data.copyWithin(t * perStep, 0, perStep);
  }
  return out;
}

/**
 * The data with the program's dropout masks added ({@link dropoutMasks}), for
 * a backend, which reads masks like data. Refuses data that gives a mask itself.
 */
export function withDropoutMasks(program: CheckedProgram, data: SequenceData, mode: DropoutMode, firstStep = 0): SequenceData {
  if (Object.keys(program.dropout).length === 0) return data;
  for (const name of Object.keys(data.sequences)) {
    if (Object.hasOwn(program.dropout, name)) {
      throw new InputError(`the data gives "${name}", a dropout mask, which is filled by the scheduler: remove it from the data`);
    }
  }
  const { steps, batch } = dataSize(program, data);
  const dtype = dtypeOf(Object.values(data.sequences)[0].data);
  return { ...data, sequences: { ...data.sequences, ...dropoutMasks(program, steps, batch, dtype, mode, firstStep) } };
}
