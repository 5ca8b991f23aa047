/**
 * One dimension of a value's shape: a fixed size, or `"B"`, the batch size,
 * which is only known when a program runs.
 */
export type Dim = number | "B";

/** The shape of a value, outermost dimension first. Per-step values start with `"B"`. */
export type Shape = readonly Dim[];

/** Formats a shape the way error messages print it: `[B, 4]`. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** True when two shapes have the same rank and the same dimensions. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * NumPy broadcasting, aligned on the last axis. `"B"` broadcasts with 1 and
 * with itself. Returns `null` when the shapes are incompatible.
 */
export function broadcastShapes(a: Shape, b: Shape): Shape | null {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else return null;
  }
  return out;
}

/** Number of elements of a shape whose dimensions are all known. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Replaces `"B"` by a concrete batch size. */
export function resolveShape(shape: Shape, batch: number): number[] {
  return shape.map((d) => (d === "B" ? batch : d));
}
