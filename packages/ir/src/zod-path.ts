import type { z } from "zod";

/** Formats a zod issue path as `nodes[3].inputs[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** The part of zod's schema definitions the key lookup walks through. */
interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly valueType?: z.ZodType;
}

/** The keys the object schema at `path` inside `schema` accepts, or undefined when the path does not lead to one object schema (a union, say). */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let at: z.ZodType | undefined = schema;
  let i = 0;
  while (at) {
    const def = at.def as unknown as SchemaDef;
    if (def.innerType)
      at = def.innerType; // optional, nullable, default, readonly
    else if (i === path.length) return def.type === "object" && def.shape ? Object.keys(def.shape) : undefined;
    else if (def.type === "object" && def.shape) at = def.shape[String(path[i++])];
    else if (def.type === "array" && def.element) ((at = def.element), i++);
    else if (def.type === "record" && def.valueType) ((at = def.valueType), i++);
    else return undefined;
  }
  return undefined;
}

/**
 * The first issue of a zod error as `path: message`, with a prefix for the
 * document; an unknown key comes first, since a misspelled key also leaves its
 * field missing. Given the schema, an unknown key's message lists the keys that
 * are valid there, so a misspelled field says what it should have been.
 */
export function describeZodError(error: z.ZodError, prefix = "", schema?: z.ZodType): { path: string; message: string } {
  // a misspelled key also leaves its field missing: the unknown key is the one to report
  const issue = error.issues.find((i) => i.code === "unrecognized_keys") ?? error.issues[0];
  const path = [prefix, formatPath(issue.path)].filter(Boolean).join(".");
  if (issue.code === "unrecognized_keys" && schema) {
    const known = knownKeysAt(schema, issue.path);
    const keys = issue.keys.map((k) => `"${k}"`).join(", ");
    if (known) return { path, message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${keys}; valid keys here: ${known.join(", ")}` };
  }
  return { path, message: issue.message };
}
