import type { Manifest } from "./public-packages.js";

/** The dependency fields that can name another workspace package. */
const dependencyFields = ["dependencies", "peerDependencies", "optionalDependencies"] as const;

/** `exports` without the `source` condition, at any depth (a subpath's conditions, nested conditions). */
export function withoutSource(exports: unknown): unknown {
  if (Array.isArray(exports)) return exports.map(withoutSource);
  if (typeof exports !== "object" || exports === null) return exports;
  return Object.fromEntries(
    Object.entries(exports)
      .filter(([key]) => key !== "source")
      .map(([key, value]) => [key, withoutSource(value)]),
  );
}

/**
 * The manifest that goes into a tarball: `exports` without the development `source` condition (it points at
 * TypeScript sources that are not shipped), each dependency on a workspace package pinned to that package's exact
 * version (`versions`: name → version of every public package), and no `scripts` (the `prepack` guard would refuse
 * it), `devDependencies` or `nx`. A dependency on a workspace package that is not public is an error.
 */
export function stagedManifest(manifest: Manifest, versions: ReadonlyMap<string, string>, privateNames: ReadonlySet<string>): Manifest {
  const { scripts: _scripts, devDependencies: _dev, nx: _nx, ...kept } = manifest;
  const staged: Manifest = { ...kept, exports: withoutSource(manifest.exports) };
  for (const field of dependencyFields) {
    const deps = manifest[field] as Record<string, string> | undefined;
    if (deps === undefined) continue;
    staged[field] = Object.fromEntries(
      Object.entries(deps).map(([name, range]) => {
        if (privateNames.has(name)) throw new Error(`${manifest.name}: ${field} has ${name}, a private workspace package that is never published`);
        const version = versions.get(name);
        if (version === undefined) return [name, range];
        if (range !== "*" && range !== version)
          throw new Error(`${manifest.name}: ${field}.${name} is "${range}"; the workspace has ${version} ("*" or "${version}")`);
        return [name, version];
      }),
    );
  }
  return staged;
}
