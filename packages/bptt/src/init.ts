import { allocate, sizeOf, type CheckedProgram, type Dtype, type Tensor } from "@unroll/ir";
import { initValues } from "./initializers.js";
import { checkParamsMemory, defaultMemoryBudget } from "./memory-budget.js";

/**
 * A seeded generator of uniform numbers in [0, 1): mulberry32, small and fast,
 * the same sequence on every platform for a given seed.
 */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The bound of the uniform initialization of one parameter, as PyTorch:
 * every weight and bias of a recurrent layer (a name `P.W_in`, `P.W_re`, `P.b`,
 * `P.b_in`, `P.b_re`, with optional `_reverse`) uses 1/sqrt(H), H the hidden size
 * read from `P.W_re`; a dense layer `P.W` / `P.b` uses 1/sqrt(fan_in) with
 * fan_in = rows of `P.W`; any other parameter 1/sqrt(its first dimension).
 */
export function initBound(name: string, params: Readonly<Record<string, readonly number[]>>): number {
  const cell = /^(.*)\.(W_in|W_re|b|b_in|b_re)(_reverse)?$/.exec(name);
  if (cell) {
    const wre = params[`${cell[1]}.W_re${cell[3] ?? ""}`];
    if (wre) return 1 / Math.sqrt(wre[0]);
  }
  const dense = /^(.*)\.(W|b)$/.exec(name);
  if (dense && params[`${dense[1]}.W`]) return 1 / Math.sqrt(params[`${dense[1]}.W`][0]);
  return 1 / Math.sqrt(params[name][0] ?? 1);
}

/**
 * Fresh parameters for a program, deterministic for a seed: a parameter with
 * an initializer in the program's `init` is filled by it (`InitializerSchema`),
 * any other with each element uniform in [-bound, bound] ({@link initBound});
 * parameters are filled in sorted-name order from one generator. Parameters that would need more
 * than `memoryBudget` bytes (default `defaultMemoryBudget()`) are refused
 * with a `MemoryBudgetError` before any is allocated.
 */
export function initParams(program: CheckedProgram, seed: number, dtype: Dtype, memoryBudget = defaultMemoryBudget()): Record<string, Tensor> {
  checkParamsMemory(program.params, dtype, memoryBudget);
  const rng = createRng(seed);
  const out: Record<string, Tensor> = {};
  for (const name of Object.keys(program.params).sort()) {
    const shape = [...program.params[name]];
    const data = allocate(dtype, sizeOf(shape));
    const init = program.program.init?.[name];
    if (init) {
      data.set(initValues(init, shape, rng));
    } else {
      const bound = initBound(name, program.params);
      for (let i = 0; i < data.length; i++) data[i] = (2 * rng() - 1) * bound;
    }
    out[name] = { shape, data };
  }
  return out;
}
