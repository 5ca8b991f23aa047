// Writes the pages that the API reference's "Defined in" links open: typedoc.json's sourceLinkTemplate points each declaration
// at `source/<path from the repository root>.html#L<line>` inside the site, and this script writes one such page, with an anchor
// per line, for every source file a page of the site links to. Run by `npm run docs` after typedoc:
//   node --import tsx tools/docs/src/source-pages.ts docs/site
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, which the paths of the source links are relative to. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

const sourceLink = /href="(?:\.\.\/)*source\/([^"#]+)\.html(?:#L\d+)?"/g;

/** Every repository path that an HTML page under `site` links to as `source/<path>.html`. */
export function linkedSources(site: string): Set<string> {
  const paths = new Set<string>();
  for (const file of htmlFiles(site)) {
    if (relative(site, file).startsWith("source/")) continue;
    for (const m of readFileSync(file, "utf8").matchAll(sourceLink)) paths.add(decodeURIComponent(m[1]));
  }
  return paths;
}

/** The HTML files under `dir`, recursively. */
export function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".html"))
    .map((f) => join(dir, f));
}

const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** One source file as a page: every line numbered and anchored `#L<n>` (1-based, as typedoc counts). */
export function sourcePage(path: string, text: string, rootHref: string): string {
  const lines = text.replace(/\n$/, "").split("\n");
  const body = lines.map((line, i) => `<span class="line" id="L${i + 1}"><a href="#L${i + 1}">${i + 1}</a>${escapeHtml(line)}</span>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(path)} · unroll</title>
<link rel="icon" href="data:,">
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 1rem; }
pre { font: 13px/1.45 ui-monospace, monospace; }
.line { display: block; white-space: pre; }
.line > a { display: inline-block; width: 4em; margin-right: 1em; text-align: right; color: #999; text-decoration: none; }
.line:target { background: #fff3a8; }
</style>
</head>
<body>
<p><a href="${rootHref}index.html">unroll</a> / <code>${escapeHtml(path)}</code></p>
<pre>
${body}
</pre>
</body>
</html>
`;
}

/** Writes `site/source/<path>.html` for every source file the site links to; returns the paths. */
export function writeSourcePages(site: string): string[] {
  const paths = [...linkedSources(site)].sort();
  for (const path of paths) {
    const file = resolve(repoRoot, path);
    if (relative(repoRoot, file).startsWith("..")) throw new Error(`source link outside the repository: ${path}`);
    const out = join(site, "source", `${path}.html`);
    mkdirSync(dirname(out), { recursive: true });
    const rootHref = "../".repeat(path.split("/").length);
    writeFileSync(out, sourcePage(path, readFileSync(file, "utf8"), rootHref));
  }
  return paths;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const site = resolve(process.argv[2] ?? "docs/site");
  const paths = writeSourcePages(site);
  console.log(`source pages: ${paths.length} files under ${relative(process.cwd(), join(site, "source"))}`);
}
