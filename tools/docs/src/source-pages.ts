// Writes the pages that the API reference's "Defined in" links open: typedoc.json's sourceLinkTemplate points each declaration
// at `source/<path from the repository root>.html#L<line>` inside the site, and this script writes one such page, with an anchor
// per line, for every source file a page of the site links to. Links from the guides and the README to code files, which typedoc
// copies into media/ as they are, are turned into links to the same pages (so no test file is copied into the site either).
// Run by `npm run docs` after typedoc:
//   node --import tsx tools/docs/src/source-pages.ts docs/site
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
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

const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** One source file as a page: every line numbered and anchored `#L<n>` (1-based, as typedoc counts). */
export function sourcePage(path: string, text: string, rootHref: string): string {
  const lines = text.replace(/\n$/, "").split("\n");
  const body = lines.map((line, i) => `<span class="line" id="L${i + 1}"><a href="#L${i + 1}">${i + 1}</a>${escapeHtml(line)}</span>`).join(""); // the lines are blocks: no newline between them
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

/** Code files that typedoc shows as source pages rather than copies in media/. */
const codeFile = /\.(ts|mts|cts|js|mjs|cjs)$/;

/**
 * The repository file that each code file in `site/media/` is a copy of: typedoc names a copy by the file's base name (with
 * `-1`, `-2`, ... when names repeat), so the original is the tracked file of that base name with the same content.
 */
export function mediaSources(site: string): Map<string, string> {
  const media = join(site, "media");
  const found = new Map<string, string>();
  if (!existsSync(media)) return found;
  const tracked = execFileSync("git", ["ls-files"], { cwd: repoRoot, encoding: "utf8" }).split("\n").filter(Boolean);
  for (const name of readdirSync(media).filter((f) => codeFile.test(f))) {
    const text = readFileSync(join(media, name), "utf8");
    const base = name.replace(/-\d+(\.[^.]+)$/, "$1");
    const original = tracked.find((p) => (basename(p) === base || basename(p) === name) && readFileSync(join(repoRoot, p), "utf8") === text);
    if (original === undefined) throw new Error(`media/${name}: no file of the repository has its name and content`);
    found.set(name, original);
  }
  return found;
}

/** Points every link to a code file copied into media/ at that file's source page instead, and removes the copies. */
export function replaceMediaLinks(site: string): Map<string, string> {
  const sources = mediaSources(site);
  if (sources.size === 0) return sources;
  const link = /href="((?:\.\.\/)*)media\/([^"#]+)(#[^"]*)?"/g;
  for (const file of htmlFiles(site)) {
    const html = readFileSync(file, "utf8");
    const next = html.replace(link, (all, up: string, name: string, fragment = "") => {
      const path = sources.get(decodeURIComponent(name));
      return path === undefined ? all : `href="${up}source/${path}.html${fragment}"`;
    });
    if (next !== html) writeFileSync(file, next);
  }
  for (const name of sources.keys()) rmSync(join(site, "media", name));
  return sources;
}

/** Writes `site/source/<path>.html` for every source file the site links to (after `replaceMediaLinks`); returns the paths. */
export function writeSourcePages(site: string): string[] {
  replaceMediaLinks(site);
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
