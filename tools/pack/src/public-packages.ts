import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** A workspace package's manifest, as far as packing reads it. */
export interface Manifest {
  name: string;
  version?: string;
  private?: boolean;
  files?: string[];
  exports?: unknown;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  [field: string]: unknown;
}

/** A workspace package: its folder (absolute) and its manifest. */
export interface PublicPackage {
  dir: string;
  manifest: Manifest;
}

const readJson = (path: string): Manifest => JSON.parse(readFileSync(path, "utf8")) as Manifest;

/**
 * Every workspace package of the repository at `root`, found from the root's `workspaces` globs (of the form `dir/*`),
 * so that a new package is seen with no change here.
 */
export function workspacePackages(root: string): PublicPackage[] {
  const workspaces = (readJson(join(root, "package.json")).workspaces ?? []) as string[];
  return workspaces
    .flatMap((glob) => {
      if (!/^[^*]+\/\*$/.test(glob)) throw new Error(`package.json workspaces: "${glob}" is not of the form "dir/*", the only form packing reads`);
      const parent = join(root, glob.slice(0, -2));
      return readdirSync(parent)
        .sort()
        .map((name) => join(parent, name))
        .filter((dir) => existsSync(join(dir, "package.json")));
    })
    .map((dir) => ({ dir, manifest: readJson(join(dir, "package.json")) }));
}

/** The workspace packages that are published: those whose `private` is not true. */
export function publicPackages(root: string): PublicPackage[] {
  return workspacePackages(root).filter((p) => p.manifest.private !== true);
}
