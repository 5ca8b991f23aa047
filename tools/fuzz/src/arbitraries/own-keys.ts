import fc from "fast-check";

/**
 * Sets `key` on `target` as an own, enumerable data property, as `JSON.parse`
 * does: a plain assignment of `"__proto__"` would set the prototype instead.
 */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A deep copy of JSON-like data that keeps every own key, `"__proto__"` included, and non-JSON numbers (NaN, ±Infinity).
 * Iterative, since generated documents nest far deeper than the call stack.
 */
export function cloneData<T>(value: T): T {
  const copyOf = (v: unknown): unknown => (Array.isArray(v) ? new Array(v.length) : typeof v === "object" && v !== null ? {} : v);
  const root = copyOf(value);
  const stack: { from: unknown; to: unknown }[] = [{ from: value, to: root }];
  while (stack.length > 0) {
    const { from, to } = stack.pop()!;
    if (typeof from !== "object" || from === null) continue;
    // a deep value's short description for fast-check's reports (see hostile-values.ts)
    const description = Object.getOwnPropertyDescriptor(from, fc.toStringMethod);
    if (description) Object.defineProperty(to, fc.toStringMethod, description);
    for (const key of Object.keys(from)) {
      const child = (from as Record<string, unknown>)[key];
      const copy = copyOf(child);
      setOwn(to as object, key, copy);
      stack.push({ from: child, to: copy });
    }
  }
  return root as T;
}
