import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { packageProblems } from "./package-problems.js";
import { publicPackages, workspacePackages, type PublicPackage } from "./public-packages.js";
import { stagedManifest } from "./staged-manifest.js";

/** Copies what npm would pack from `pkg` (its `files`, README.md and LICENSE) into `to`, with the staged manifest. */
function stage(pkg: PublicPackage, to: string, versions: ReadonlyMap<string, string>, privateNames: ReadonlySet<string>): void {
  mkdirSync(to);
  for (const entry of pkg.manifest.files ?? []) {
    if (entry.startsWith("!")) continue; // exclusions are applied by npm pack, which reads the same list
    if (/[*?{[]/.test(entry)) throw new Error(`${pkg.manifest.name}: files entry "${entry}" is a glob; list folders and files by name`);
    const from = join(pkg.dir, entry);
    if (!existsSync(from)) throw new Error(`${pkg.manifest.name}: "${entry}" (in its files) does not exist; run \`npm run build\` first`);
    cpSync(from, join(to, entry), { recursive: true });
  }
  for (const file of ["README.md", "LICENSE"]) cpSync(join(pkg.dir, file), join(to, file));
  writeFileSync(join(to, "package.json"), JSON.stringify(stagedManifest(pkg.manifest, versions, privateNames), null, 2) + "\n");
}

/**
 * Packs every public workspace package of the repository at `root` (already built) into `outDir`, each from a staged
 * copy whose manifest has no `source` condition and pins the workspace dependencies. Returns the tarballs' paths.
 */
export function packTarballs(root: string, outDir: string): string[] {
  const all = workspacePackages(root);
  const packages = publicPackages(root);
  const problems = packages.flatMap(packageProblems);
  if (problems.length > 0) throw new Error(`not ready to pack:\n  ${problems.join("\n  ")}`);
  const versions = new Map(packages.map((p) => [p.manifest.name, p.manifest.version ?? ""]));
  const privateNames = new Set(all.filter((p) => p.manifest.private === true).map((p) => p.manifest.name));

  mkdirSync(outDir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), "unroll-stage-"));
  try {
    for (const pkg of packages) stage(pkg, join(staging, basename(pkg.dir)), versions, privateNames);
    // one npm process for all of them: `npm pack <folder>...`
    const folders = packages.map((p) => `./${basename(p.dir)}`);
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", resolve(outDir), ...folders], { cwd: staging, encoding: "utf8" });
    return (JSON.parse(out) as { filename: string }[]).map((t) => join(resolve(outDir), t.filename));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
