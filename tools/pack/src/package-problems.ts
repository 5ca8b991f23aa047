import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PublicPackage } from "./public-packages.js";

/** The `prepack` script every public package runs: it refuses to pack the development manifest. */
export const PREPACK_GUARD = "node ../../tools/pack/prepack-guard.mjs";

/** What a public package lacks to be published (empty when nothing): each entry says what is expected. */
export function packageProblems({ dir, manifest }: PublicPackage): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(`${manifest.name}: ${what}`);
  };
  need(/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(manifest.version ?? ""), `a "version" such as "0.1.0" (got ${JSON.stringify(manifest.version)})`);
  need(typeof manifest.license === "string", `a "license" field, like the root package.json's`);
  need(existsSync(join(dir, "README.md")), "a README.md (what it is, install, a minimal import, a link to the docs)");
  need(existsSync(join(dir, "LICENSE")), "a LICENSE file (a copy of the repository's)");
  need(Array.isArray(manifest.files) && manifest.files.length > 0, `a "files" list (what the tarball holds, such as ["dist", "!dist/.tsbuildinfo"])`);
  need(typeof manifest.exports === "object" && manifest.exports !== null, `an "exports" map`);
  need(manifest.scripts?.prepack === PREPACK_GUARD, `"scripts": { "prepack": "${PREPACK_GUARD}" }, the guard against packing the development manifest`);
  return problems;
}
