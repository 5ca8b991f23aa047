import { UserError } from "./user-error.js";

/** Parses an option that takes a count (`--truncate 4`), refusing anything but a positive safe integer with the option's name and value. */
export function positiveInteger(option: string, value: string): number {
  const n = Number(value);
  if (!(Number.isSafeInteger(n) && n >= 1)) throw new UserError(`${option} must be a positive integer, got "${value}"`);
  return n;
}
