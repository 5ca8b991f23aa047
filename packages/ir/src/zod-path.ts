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

/** The first issue of a zod error as `path: message`, with a prefix for the document. */
export function describeZodError(error: z.ZodError, prefix = ""): { path: string; message: string } {
  const issue = error.issues[0];
  const path = [prefix, formatPath(issue.path)].filter(Boolean).join(".");
  return { path, message: issue.message };
}
