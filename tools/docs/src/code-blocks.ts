// The fenced code blocks of a guide, and what the guide test does with each. The info string after the fence says it:
//   ```ts, ```sh              run (TypeScript against the workspace packages from source, shell with `unroll` on the PATH)
//   ```ts excerpt             shown, not run: part of a file, or code that needs what the reader has (their device, their op)
//   ```text output            what the runnable block just above prints: the test compares it with the block's stdout
//   ```json file=NAME         written as NAME into the guide's working folder before the blocks below it run (and parsed)
//   ```text, ```json, ...     shown, not run (output listings, grammars, formats)
// A fence with no language fails the test, and so does a ts or sh block that is neither run nor marked `excerpt`.

/** One fenced code block of a markdown file. */
export interface CodeBlock {
  /** The language: the info string's first word (empty when the fence has none). */
  readonly lang: string;
  /** The info string's other words, e.g. `["excerpt"]`, `["output"]`, `["file=model.json"]`. */
  readonly flags: readonly string[];
  /** The code, without the fence's indentation. */
  readonly code: string;
  /** The 1-based line of the opening fence. */
  readonly line: number;
}

/** What the guide test does with a block (the table above). */
export type BlockRole =
  | { readonly kind: "run"; readonly runner: "ts" | "sh" }
  | { readonly kind: "excerpt" }
  | { readonly kind: "output" }
  | { readonly kind: "file"; readonly name: string }
  | { readonly kind: "shown" };

/** The languages that are run unless marked `excerpt`. */
export const runnable: Readonly<Record<string, "ts" | "sh">> = { ts: "ts", typescript: "ts", sh: "sh", bash: "sh", shell: "sh" };

/** Every fenced block of `markdown` (``` or ~~~ fences, indented ones inside list items too), in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^ *${fence[0]}{${fence.length},}\\s*$`).test(lines[j])) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
      j++;
    }
    if (j === lines.length) throw new Error(`line ${i + 1}: a code fence that is never closed`);
    const [lang = "", ...flags] = info.trim().split(/\s+/).filter(Boolean);
    blocks.push({ lang, flags, code: body.join("\n") + "\n", line: i + 1 });
    i = j;
  }
  return blocks;
}

/** What the guide test does with `block`; throws for a block that says nothing (no language, or an unknown flag). */
export function roleOf(block: CodeBlock): BlockRole {
  const where = `line ${block.line}`;
  if (block.lang === "") throw new Error(`${where}: a code block with no language: mark it (\`\`\`ts, \`\`\`sh, \`\`\`text, \`\`\`json, ...)`);
  const file = block.flags.find((f) => f.startsWith("file="));
  const known = block.flags.every((f) => f === "excerpt" || f === "output" || f === file);
  if (!known) throw new Error(`${where}: unknown flags in \`\`\`${block.lang} ${block.flags.join(" ")}`);
  if (block.flags.includes("excerpt")) return { kind: "excerpt" };
  if (block.flags.includes("output")) {
    if (block.lang !== "text") throw new Error(`${where}: an output block is \`\`\`text output`);
    return { kind: "output" };
  }
  if (file !== undefined) return { kind: "file", name: file.slice("file=".length) };
  const runner = runnable[block.lang];
  return runner === undefined ? { kind: "shown" } : { kind: "run", runner };
}

/** Output as the guide shows it: trailing spaces and blank lines at the end dropped. */
export const normalizeOutput = (s: string): string =>
  s
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .trimEnd();
