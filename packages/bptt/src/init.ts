import { allocate, initBound, sizeOf, type CheckedProgram, type Dtype, type Tensor } from "@unroll/ir";
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
