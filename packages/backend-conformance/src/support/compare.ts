import { expect } from "vitest";
import { formatShape, type Tensor } from "@unroll/ir";
import { isClose, type Tolerance } from "./tolerance.js";

/** At most this many mismatching elements are listed per tensor, so a failure stays readable. */
const SHOWN = 8;

/** Mismatches between two tensors as readable lines (shape first), empty when they agree. */
export function tensorMismatches(label: string, actual: Tensor | undefined, expected: Tensor | undefined, tol: Tolerance): string[] {
  if (!expected) return actual ? [`${label}: present, but the reference has none`] : [];
  if (!actual) return [`${label}: missing (expected shape ${formatShape(expected.shape)})`];
  if (formatShape(actual.shape) !== formatShape(expected.shape)) {
    return [`${label}: shape ${formatShape(actual.shape)}, expected ${formatShape(expected.shape)}`];
  }
  if (actual.data.length !== expected.data.length) return [`${label}: ${actual.data.length} elements, expected ${expected.data.length}`];
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < expected.data.length; i++) {
    if (isClose(actual.data[i], expected.data[i], tol)) continue;
    if (count++ < SHOWN) bad.push(`${label}[${i}]: ${actual.data[i]}, expected ${expected.data[i]}`);
  }
  if (count > SHOWN) bad.push(`${label}: ${count - SHOWN} more mismatches`);
  return bad;
}

/** Mismatches between two records of tensors: the same names, each tensor close. */
export function recordMismatches(
  label: string,
  actual: Readonly<Record<string, Tensor>> | undefined,
  expected: Readonly<Record<string, Tensor>>,
  tol: Tolerance,
): string[] {
  if (!actual) return [`${label}: missing`];
  const names = Object.keys(expected).sort();
  const got = Object.keys(actual).sort();
  if (names.join() !== got.join()) return [`${label}: names ${got.join(", ")}, expected ${names.join(", ")}`];
  return names.flatMap((n) => tensorMismatches(`${label}.${n}`, actual[n], expected[n], tol));
}

/** Mismatch of two scalars (a loss), as a line, or none. */
export function scalarMismatches(label: string, actual: number | undefined, expected: number | undefined, tol: Tolerance): string[] {
  if (expected === undefined) return actual === undefined ? [] : [`${label}: ${actual}, but the reference has none`];
  if (actual === undefined || !isClose(actual, expected, tol)) return [`${label}: ${actual}, expected ${expected}`];
  return [];
}

/** Expects no mismatches; vitest prints the list when there are. */
export function expectNoMismatches(problems: readonly string[]): void {
  expect(problems).toEqual([]);
}
