import { defaultMemoryBudget, MemoryBudgetError } from "@unroll/bptt";
import { UserError } from "./user-error.js";

/** `--max-memory MiB` as bytes; without it, the machine's budget (`defaultMemoryBudget()`: half the memory available to the process). */
export function parseMaxMemory(value: string | undefined): number {
  if (value === undefined) return defaultMemoryBudget();
  const mib = Number(value);
  if (!(Number.isFinite(mib) && mib > 0)) throw new UserError(`--max-memory must be a positive number of MiB, got "${value}"`);
  return Math.floor(mib * 2 ** 20);
}

/** True when `e` is a refusal over the memory budget, or a file's error made of one. */
function isBudgetRefusal(e: unknown): boolean {
  return e instanceof MemoryBudgetError || (e instanceof UserError && e.cause instanceof MemoryBudgetError);
}

/** A command's action whose refusals over the memory budget say how to raise it. */
export function withMemoryHint<A extends unknown[]>(action: (...args: A) => void | Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (e) {
      if (isBudgetRefusal(e)) throw new UserError(`${(e as Error).message}; use --max-memory MiB to raise it`, { cause: e });
      throw e;
    }
  };
}
