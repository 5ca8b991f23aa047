// The `prepack` script of every public package: a plain `npm pack` or `npm publish` in a package folder would ship
// the development manifest, whose `source` export condition points at TypeScript files that are not in the tarball
// (and that a consumer's bundler or `customConditions` could pick). The tarballs come from a staged manifest instead.
import { readFileSync } from "node:fs";

const manifest = JSON.parse(readFileSync("package.json", "utf8"));
if (JSON.stringify(manifest.exports ?? {}).includes('"source"')) {
  process.stderr.write(
    `${manifest.name}: refusing to pack the development manifest (its exports have the "source" condition). ` +
      "Pack from the repository root with `npm run pack:tarballs -- DIR`, which packs a staged manifest without it.\n",
  );
  process.exit(1);
}
