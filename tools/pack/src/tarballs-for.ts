import { execFileSync } from "node:child_process";

/** The name and dependencies of a packed package, read from its tarball. */
function manifestOf(tarball: string): { name: string; dependencies?: Record<string, string> } {
  return JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }));
}

/**
 * The tarballs to install for `name`: its own and those of the packed packages it depends on, transitively. npm needs
 * them all at once, as the packages are not on the registry. The rest (the test kit, with its vitest peer) stays out.
 */
export function tarballsFor(name: string, tarballs: readonly string[]): string[] {
  const byName = new Map(tarballs.map((t) => [manifestOf(t), t] as const).map(([m, t]) => [m.name, { manifest: m, tarball: t }]));
  const needed = new Set<string>();
  const visit = (n: string) => {
    const packed = byName.get(n);
    if (packed === undefined || needed.has(n)) return;
    needed.add(n);
    for (const dep of Object.keys(packed.manifest.dependencies ?? {})) visit(dep);
  };
  if (!byName.has(name)) throw new Error(`no tarball of ${name} among ${tarballs.length} packed`);
  visit(name);
  return [...needed].map((n) => byName.get(n)!.tarball);
}
