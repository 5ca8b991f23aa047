import { assert } from "vitest";
import { formatShape, type Tensor } from "@unroll/ir";
import { isClose, type Tolerance } from "./tolerance.js";

/** At most this many mismatching elements are listed per tensor; one more line counts the rest. */
const SHOWN_PER_TENSOR = 3;
/** At most this many lines of mismatches are shown per failed check; one more line counts the rest. */
export const SHOWN_PER_CHECK = 10;

/**
 * How a tensor's axes read, for naming an element: a sequence `[T, B, ...]`
 * (outputs, states, input gradients), a per-row tensor `[B, ...]` (final and
 * initial states and their gradients), or plain axes (params and their gradients).
 */
export type Layout = "sequence" | "rows" | "plain";

/** The element at flat index `i` of a tensor of `shape`, e.g. `[t=1, b=0, 2]` in a sequence. */
export function formatIndex(shape: readonly number[], i: number, layout: Layout): string {
  const at: number[] = [];
  for (let k = shape.length - 1; k >= 0; k--) {
    at.unshift(i % shape[k]);
    i = Math.floor(i / shape[k]);
  }
  const names = layout === "sequence" ? ["t=", "b="] : layout === "rows" ? ["b="] : [];
  return `[${at.map((v, k) => `${names[k] ?? ""}${v}`).join(", ")}]`;
}

/** Mismatches between two tensors as readable lines (shape first), empty when they agree. */
export function tensorMismatches(label: string, actual: Tensor | undefined, expected: Tensor | undefined, tol: Tolerance, layout: Layout = "plain"): string[] {
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
    if (count++ < SHOWN_PER_TENSOR) bad.push(`${label}${formatIndex(expected.shape, i, layout)}: ${actual.data[i]}, expected ${expected.data[i]}`);
  }
  if (count > SHOWN_PER_TENSOR) bad.push(`${label}: ${count - SHOWN_PER_TENSOR} more elements differ (${count} of ${expected.data.length})`);
  return bad;
}

/** Mismatches between two records of tensors: the same names, each tensor close. */
export function recordMismatches(
  label: string,
  actual: Readonly<Record<string, Tensor>> | undefined,
  expected: Readonly<Record<string, Tensor>>,
  tol: Tolerance,
  layout: Layout = "plain",
): string[] {
  if (!actual) return [`${label}: missing`];
  const names = Object.keys(expected).sort();
  const got = Object.keys(actual).sort();
  if (names.join() !== got.join()) return [`${label}: names ${got.join(", ")}, expected ${names.join(", ")}`];
  return names.flatMap((n) => tensorMismatches(`${label}.${n}`, actual[n], expected[n], tol, layout));
}

/** Mismatch of two scalars (a loss), as a line, or none. */
export function scalarMismatches(label: string, actual: number | undefined, expected: number | undefined, tol: Tolerance): string[] {
  if (expected === undefined) return actual === undefined ? [] : [`${label}: ${actual}, but the reference has none`];
  if (actual === undefined || !isClose(actual, expected, tol)) return [`${label}: ${actual}, expected ${expected}`];
  return [];
}

/**
 * The message of a failed check: how many lines of mismatches, the first
 * {@link SHOWN_PER_CHECK}, and how many more. It is the whole assertion message,
 * so reporters that show only messages (JSON, IDEs) keep it.
 */
export function mismatchSummary(problems: readonly string[]): string {
  const shown = problems.slice(0, SHOWN_PER_CHECK);
  const more = problems.length - shown.length;
  const head = `mismatches (${problems.length} line${problems.length === 1 ? "" : "s"}${more > 0 ? `, the first ${shown.length} shown` : ""}):`;
  return [head, ...shown.map((p) => `  ${p}`), ...(more > 0 ? [`  … and ${more} more`] : [])].join("\n");
}

/** Expects no mismatches; fails with {@link mismatchSummary} (a bounded number of lines) when there are. */
export function expectNoMismatches(problems: readonly string[]): void {
  if (problems.length > 0) assert.fail(mismatchSummary(problems));
}

/**
 * Mismatches between two records of RTRL sensitivities, by param and then by
 * state (`[B, size(param), ...state]`, rows leading): the same params, the
 * same states of each, each tensor close; an element reads
 * `sensitivities ∂h/∂W[b=0, 3, 1]`.
 */
export function sensitivityMismatches(
  label: string,
  actual: Readonly<Record<string, Readonly<Record<string, Tensor>>>> | undefined,
  expected: Readonly<Record<string, Readonly<Record<string, Tensor>>>>,
  tol: Tolerance,
): string[] {
  if (!actual) return [`${label}: missing`];
  const params = Object.keys(expected).sort();
  const got = Object.keys(actual).sort();
  if (params.join() !== got.join()) return [`${label}: params ${got.join(", ")}, expected ${params.join(", ")}`];
  return params.flatMap((p) => {
    const states = Object.keys(expected[p]).sort();
    const have = Object.keys(actual[p]).sort();
    if (states.join() !== have.join()) return [`${label} to ${p}: states ${have.join(", ")}, expected ${states.join(", ")}`];
    return states.flatMap((s) => tensorMismatches(`${label} ∂${s}/∂${p}`, actual[p][s], expected[p][s], tol, "rows"));
  });
}
