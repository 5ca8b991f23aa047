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
  readonly discriminator?: string;
  readonly options?: readonly z.ZodType[];
  readonly values?: readonly unknown[];
}

/**
 * The keys the object schema at `path` inside `schema` accepts, or undefined
 * when the path does not lead to one object schema. `data` (the document
 * parsed) picks the member of a discriminated union, such as a node's op.
 */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[], data?: unknown): string[] | undefined {
  let at: z.ZodType | undefined = schema;
  let value = data;
  let i = 0;
  const step = (next: z.ZodType | undefined) => {
    value = typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[path[i]] : undefined;
    i++;
    return next;
  };
  while (at) {
    const def = at.def as unknown as SchemaDef;
    if (def.innerType)
      at = def.innerType; // optional, nullable, default, readonly
    else if (def.type === "union" && def.discriminator && def.options) at = memberFor(def.discriminator, def.options, value);
    else if (i === path.length) return def.type === "object" && def.shape ? Object.keys(def.shape) : undefined;
    else if (def.type === "object" && def.shape) at = step(def.shape[String(path[i])]);
    else if (def.type === "array" && def.element) at = step(def.element);
    else if (def.type === "record" && def.valueType) at = step(def.valueType);
    else return undefined;
  }
  return undefined;
}

/** The member of a discriminated union whose literal tag equals the value's. */
function memberFor(discriminator: string, options: readonly z.ZodType[], value: unknown): z.ZodType | undefined {
  const tag = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[discriminator] : undefined;
  return options.find((o) => ((o.def as unknown as SchemaDef).shape?.[discriminator]?.def as unknown as SchemaDef | undefined)?.values?.includes(tag));
}

/**
 * The first issue of a zod error as `path: message`, with a prefix for the
 * document; an unknown key comes first, since a misspelled key also leaves its
 * field missing. Given the schema (and the data, for unions), an unknown key's message lists the keys that
 * are valid there, so a misspelled field says what it should have been.
 */
export function describeZodError(error: z.ZodError, prefix = "", schema?: z.ZodType, data?: unknown): { path: string; message: string } {
  // a misspelled key also leaves its field missing: the unknown key is the one to report
  const issue = error.issues.find((i) => i.code === "unrecognized_keys") ?? error.issues[0];
  const path = [prefix, formatPath(issue.path)].filter(Boolean).join(".");
  if (issue.code === "unrecognized_keys" && schema) {
    const known = knownKeysAt(schema, issue.path, data);
    const keys = issue.keys.map((k) => `"${k}"`).join(", ");
    const valid = known?.length ? `valid keys here: ${known.join(", ")}` : "no key is valid here";
    if (known) return { path, message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${keys}; ${valid}` };
  }
  return { path, message: issue.message };
}
