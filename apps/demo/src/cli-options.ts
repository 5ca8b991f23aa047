import { InvalidArgumentError } from "commander";

/** Parses an integer option of at least `min`. */
export function intAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!(value.trim() !== "" && Number.isInteger(n) && n >= min)) throw new InvalidArgumentError(`expected an integer of at least ${min}, got "${value}"`);
    return n;
  };
}

/** Parses any integer (a seed). */
export function integer(value: string): number {
  const n = Number(value);
  if (!(value.trim() !== "" && Number.isSafeInteger(n))) throw new InvalidArgumentError(`expected an integer, got "${value}"`);
  return n;
}

/** Parses a positive number. */
export function positive(value: string): number {
  const n = Number(value);
  if (!(value.trim() !== "" && Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}
