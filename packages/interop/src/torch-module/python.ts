/** A Python string literal holding `s` exactly: JSON's escapes are valid in Python strings. */
export function pyString(s: string): string {
  return JSON.stringify(s);
}

/** A Python float expression of `n`, including the values JSON has no literal for (`math.inf`, `math.nan`, `-0.0`). */
export function pyNumber(n: number): string {
  if (Number.isNaN(n)) return "math.nan";
  if (n === Infinity) return "math.inf";
  if (n === -Infinity) return "-math.inf";
  if (Object.is(n, -0)) return "-0.0";
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? `${n}.0` : String(n);
}

/**
 * A Python literal of JSON data, for the tables of a generated file: dicts,
 * lists, strings, `True`/`False`/`None`, integers as integers and other
 * numbers as {@link pyNumber}.
 */
export function pyLiteral(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return Number.isSafeInteger(value) ? String(value) : pyNumber(value);
  if (typeof value === "string") return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(", ")}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${pyString(k)}: ${pyLiteral(v)}`)
    .join(", ")}}`;
}

/** A Python tuple literal of integers, e.g. `(2, 3)`, `(4,)` or `()`. */
export function pyTuple(items: readonly (number | string)[]): string {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
}

/** A Python comment of any text on one line: ids may hold newlines, so they are shown as string literals. */
export function pyComment(text: string): string {
  return `# ${text.replace(/[\r\n\u2028\u2029]/g, " ")}`;
}

/** Python's reserved words, which cannot name a function argument. */
const KEYWORDS = new Set(
  (
    "False None True and as assert async await break class continue def del elif else except finally for from global if import in is " +
    "lambda nonlocal not or pass raise return try while with yield"
  ).split(" "),
);

/**
 * A Python identifier for `name`, distinct from every identifier in `taken`
 * (which it joins): characters outside `[A-Za-z0-9_]` become `_`, a leading
 * digit gets a `_` before it, and a keyword or a taken name gets `_` after it
 * until it is free. `x` stays `x`, `x.0` becomes `x_0`.
 */
export function pyIdentifier(name: string, taken: Set<string>): string {
  let id = name.replace(/[^A-Za-z0-9_]/g, "_");
  if (id === "" || /^[0-9]/.test(id)) id = `_${id}`;
  while (KEYWORDS.has(id) || taken.has(id)) id = `${id}_`;
  taken.add(id);
  return id;
}

/** Indents every non-empty line of `text` by `levels` × 4 spaces. */
export function indent(text: string, levels: number): string {
  const pad = " ".repeat(4 * levels);
  return text
    .split("\n")
    .map((line) => (line === "" ? line : pad + line))
    .join("\n");
}
