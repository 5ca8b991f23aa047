import type { z } from "zod";

/** Formats a zod issue path as `nodes[3].inputs[1]`; a key that is not an identifier is quoted, as in `params["layers.0.W"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (!/^[A-Za-z_$][\w$]*$/.test(String(key))) out += `[${JSON.stringify(String(key))}]`;
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
  const join = (p: readonly PropertyKey[]) => {
    const rest = formatPath(p);
    return prefix && rest ? `${prefix}${rest.startsWith("[") ? "" : "."}${rest}` : prefix || rest;
  };
  if (issue.code === "unrecognized_keys" && schema) {
    const known = knownKeysAt(schema, issue.path, data);
    if (known) {
      // the path names the unknown key itself (the field at fault), even at the top level
      const where = issue.path.length || prefix ? `in ${join(issue.path)}` : "at the top level";
      const others = issue.keys.slice(1).map((k) => JSON.stringify(k));
      const also = others.length ? ` (and ${others.join(", ")})` : "";
      const valid = known.length ? `valid keys ${where}: ${known.join(", ")}` : `no key is valid ${where}`;
      return { path: join([...issue.path, issue.keys[0]]), message: `unknown key${also}; ${valid}` };
    }
  }
  return { path: join(issue.path), message: issue.message };
}
