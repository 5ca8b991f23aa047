import fc from "fast-check";
import { prototypeKeyedObject, prototypeKeys, wrongValue } from "./hostile-values.js";
import { cloneData, setOwn } from "./own-keys.js";

/** A path inside JSON-like data: object keys and array indices. */
export type DataPath = readonly (string | number)[];

/** One change to a valid document, with where it happened (for the report of a failing case). */
export interface Mutation {
  /** What was done. */
  readonly kind: "replace" | "delete" | "extra key" | "prototype key" | "ragged" | "wrap";
  /** Where. */
  readonly path: DataPath;
  /** The document after the change. */
  readonly doc: unknown;
}

/** Every path inside `value` (the root included), at most `limit` of them, breadth first. */
export function pathsOf(value: unknown, limit = 400): DataPath[] {
  const out: DataPath[] = [];
  const queue: { path: DataPath; v: unknown }[] = [{ path: [], v: value }];
  while (queue.length > 0 && out.length < limit) {
    const { path, v } = queue.shift()!;
    out.push(path);
    if (Array.isArray(v)) v.forEach((e, i) => queue.push({ path: [...path, i], v: e }));
    else if (typeof v === "object" && v !== null) for (const k of Object.keys(v)) queue.push({ path: [...path, k], v: (v as Record<string, unknown>)[k] });
  }
  return out;
}

function at(doc: unknown, path: DataPath): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], doc);
}

/** Applies one change at `path` to a copy of `doc`; the root itself can only be replaced or wrapped. */
function apply(doc: unknown, path: DataPath, kind: Mutation["kind"], value: unknown, key: string): unknown {
  const copy = cloneData(doc);
  if (path.length === 0) return kind === "wrap" ? [copy] : kind === "replace" ? value : copy;
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const last = path[path.length - 1];
  const target = at(copy, path);
  switch (kind) {
    case "replace":
      setOwn(parent, String(last), value);
      break;
    case "delete":
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last as string];
      break;
    case "extra key":
    case "prototype key":
      if (typeof target === "object" && target !== null && !Array.isArray(target)) setOwn(target, key, value);
      else setOwn(parent, String(last), { [key]: value });
      break;
    case "ragged":
      if (Array.isArray(target) && target.length > 0) target.push(Array.isArray(target[0]) ? [...(target[0] as unknown[]), 0] : [target[0]]);
      else setOwn(parent, String(last), [target, [target]]);
      break;
    case "wrap":
      setOwn(parent, String(last), [target]);
      break;
  }
  return copy;
}

/**
 * One mutation of a valid document: a field replaced by a wrong value,
 * deleted, given an extra or a prototype key, made ragged, or wrapped in an array.
 */
export function mutationOf(doc: unknown): fc.Arbitrary<Mutation> {
  const paths = pathsOf(doc);
  return fc
    .record({
      path: fc.constantFrom(...paths),
      kind: fc.constantFrom<Mutation["kind"]>("replace", "replace", "replace", "delete", "extra key", "prototype key", "ragged", "wrap"),
      value: fc.oneof(wrongValue, prototypeKeyedObject),
      extra: fc.constantFrom("dropout", "extra", "hidden ", "B"),
      proto: fc.constantFrom(...prototypeKeys),
    })
    .map(({ path, kind, value, extra, proto }) => ({ kind, path, doc: apply(doc, path, kind, value, kind === "prototype key" ? proto : extra) }));
}

/** A valid document from `valid`, then one to three mutations of it. */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<Mutation> {
  return valid.chain((doc) =>
    fc.integer({ min: 1, max: 3 }).chain((n) => {
      let m: fc.Arbitrary<Mutation> = mutationOf(doc);
      for (let i = 1; i < n; i++) m = m.chain((prev) => mutationOf(prev.doc).map((next) => ({ ...next, kind: next.kind, path: next.path })));
      return m;
    }),
  );
}
