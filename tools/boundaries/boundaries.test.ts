import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const rules = JSON.parse(readFileSync(join(import.meta.dirname, "rules.json"), "utf8")) as Record<string, string[]>;

interface Project {
  readonly name: string;
  readonly dir: string;
  readonly tag: string;
  /** Public entry points declared in `exports` ("" for the index, "web" for "./web"). */
  readonly entries: readonly string[];
}

function projects(): Project[] {
  return ["packages", "apps", "tools"].flatMap((group) =>
    readdirSync(join(root, group)).map((d) => {
      const pkg = JSON.parse(readFileSync(join(root, group, d, "package.json"), "utf8"));
      const entries = Object.keys(pkg.exports ?? { ".": "" }).map((k) => k.replace(/^\.\/?/, ""));
      return { name: pkg.name as string, dir: join(root, group, d), tag: (pkg.nx?.tags ?? [])[0] as string, entries };
    }),
  );
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (f === "node_modules" || f === "dist") return [];
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|tsx|mts)$/.test(f) ? [p] : [];
  });
}

describe("package boundaries", () => {
  const all = projects();
  const byName = new Map(all.map((p) => [p.name, p]));

  it("every project has a tag with a rule", () => {
    for (const p of all) expect(rules[p.tag], `${p.name} has tag ${p.tag}`).toBeDefined();
  });

  for (const p of all) {
    it(`${p.name} imports siblings only through their index, in the allowed direction`, () => {
      const problems: string[] = [];
      for (const file of sources(p.dir)) {
        const text = readFileSync(file, "utf8");
        // files under test/ may also import what "<tag> test/" lists (a backend's tests, the conformance kit)
        const inTests = relative(p.dir, file).split(sep)[0] === "test";
        const allowed = [...(rules[p.tag] ?? []), ...(inTests ? (rules[`${p.tag} test/`] ?? []) : [])];
        for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
          const spec = m[1];
          const where = relative(root, file);
          if (spec.startsWith("@unroll/")) {
            const [scope, name, ...rest] = spec.split("/");
            const target = byName.get(`${scope}/${name}`);
            const entry = rest.join("/").replace(/\?.*$/, "");
            if (rest.length && !target?.entries.includes(entry)) {
              problems.push(`${where}: deep import "${spec}"; import "${scope}/${name}" (its index.ts) or an entry its package.json exports`);
            }
            if (target && target !== p && !allowed.includes(target.tag)) {
              problems.push(`${where}: ${p.tag}${inTests ? " (test/)" : ""} may not import ${target.tag} ("${spec}")`);
            }
          } else if (spec.startsWith(".")) {
            const resolved = join(file, "..", spec);
            if (!resolved.startsWith(p.dir)) problems.push(`${where}: relative import "${spec}" leaves the package`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
