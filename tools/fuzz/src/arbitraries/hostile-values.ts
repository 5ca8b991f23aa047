import fc from "fast-check";

/** Keys that reach `Object.prototype` through a careless `obj[key]` or `key in obj`. */
export const prototypeKeys = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"] as const;

/**
 * An object whose own keys include one of {@link prototypeKeys}, built with
 * `JSON.parse` as a loader receives it (so `"__proto__"` is an own key, not the prototype).
 */
export const prototypeKeyedObject: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.constantFrom(...prototypeKeys), fc.constantFrom("1", "[1, 2]", "{}", '{ "polluted": true }', '"x"', "null"))
  .map(([key, value]) => JSON.parse(`{ ${JSON.stringify(key)}: ${value} }`) as Record<string, unknown>);

/** Sizes that no loader should accept as a dimension: zero, negative, fractional, huge, not finite. */
export const badSize: fc.Arbitrary<number> = fc.constantFrom(
  0,
  -1,
  -7,
  0.5,
  2.25,
  1e9,
  2 ** 31,
  2 ** 53,
  2 ** 53 + 2,
  1e308,
  Number.MAX_VALUE,
  NaN,
  Infinity,
  -Infinity,
  -0,
);

/** Numbers a JSON document cannot hold but an in-memory caller can pass. */
export const nonFinite: fc.Arbitrary<number> = fc.constantFrom(NaN, Infinity, -Infinity);

/** Gives a deep value a short description for fast-check's reports, whose printer recurses and would overflow the stack. */
function described<T extends object>(value: T, description: string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => description, enumerable: false });
  return value;
}

/** Arrays nested `depth` deep around `inner`: `[[[inner]]]`. */
export function nested(depth: number, inner: unknown): unknown {
  let v = inner;
  for (let i = 0; i < depth; i++) v = [v];
  return described(v as object, `[...${depth} arrays deep...]`);
}

/** Objects nested `depth` deep around `inner`: `{ "a": { "a": inner } }`. */
export function nestedObject(depth: number, inner: unknown): unknown {
  let v = inner;
  for (let i = 0; i < depth; i++) v = { a: v };
  return described(v as object, `{...${depth} objects deep...}`);
}

/** Deep nesting, from a few levels to far past any recursion limit. */
export const deepNesting: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(3, 40, 1_000, 20_000), fc.boolean())
  .map(([depth, arrays]) => (arrays ? nested(depth, 1) : nestedObject(depth, 1)));

/**
 * A value of the wrong kind for wherever it lands: a bad size, a non-finite
 * number, a string where a number goes (`"3"`), a boolean, null, an empty or
 * ragged array, an empty object, an object keyed by a prototype key, a huge
 * string, or deep nesting.
 */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  badSize,
  nonFinite,
  fc.constantFrom("3", "", "B", "float16", "NaN", "__proto__", "rnn ", true, false, null, [], {}, [1, [2]], [[1, 2], [3]], [null], ["1"]),
  fc.integer({ min: -5, max: 40 }),
  fc.string({ maxLength: 8 }),
  prototypeKeyedObject,
  fc.constantFrom(...prototypeKeys),
  fc.constant("x".repeat(100_000)),
  deepNesting,
);

/**
 * Any JSON-like tree of hostile parts, built recursively with `fc.letrec`: wrong
 * scalars at the leaves, arrays (ragged ones too) and objects whose keys include
 * the prototype keys (set as own keys) in between.
 */
export const hostileTree: fc.Arbitrary<unknown> = fc.letrec<{ tree: unknown; node: unknown }>((tie) => ({
  tree: fc.oneof({ depthSize: "small", withCrossShrink: true }, badSize, nonFinite, fc.constantFrom("3", "", null, true), tie("node")),
  node: fc.oneof(
    fc.array(tie("tree"), { maxLength: 4 }),
    fc.array(fc.tuple(fc.constantFrom("x", "y", "hidden", "layers", ...prototypeKeys), tie("tree")), { maxLength: 4 }).map((entries) => {
      const o = {};
      for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      return o;
    }),
  ),
})).tree;
