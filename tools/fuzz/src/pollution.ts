/** What the built-in prototypes hold, to compare against after each case. */
interface PrototypeSnapshot {
  readonly object: string;
  readonly array: string;
  readonly func: string;
}

const describe = (proto: object): string =>
  Object.getOwnPropertyNames(proto)
    .sort()
    .map((k) => `${k}:${typeof Object.getOwnPropertyDescriptor(proto, k)?.value}`)
    .join(",");

/** The built-in prototypes as they are now. */
export function snapshotPrototypes(): PrototypeSnapshot {
  return { object: describe(Object.prototype), array: describe(Array.prototype), func: describe(Function.prototype) };
}

/**
 * Throws when a case changed a built-in prototype, so that a fresh object has
 * keys or properties it should not (prototype pollution through `"__proto__"` keys).
 */
export function expectNoPollution(before: PrototypeSnapshot): void {
  const fresh: Record<string, unknown> = {};
  const problems = [
    Object.keys(fresh).length > 0 && `{} has keys ${Object.keys(fresh).join(", ")}`,
    Object.getPrototypeOf(fresh) !== Object.prototype && "{} has another prototype",
    ["polluted", "a", "x", "1"].some((k) => k in fresh) && "{} inherits a property a document set",
    describe(Object.prototype) !== before.object && "Object.prototype changed",
    describe(Array.prototype) !== before.array && "Array.prototype changed",
    describe(Function.prototype) !== before.func && "Function.prototype changed",
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`prototype pollution: ${problems.join("; ")}`);
}
