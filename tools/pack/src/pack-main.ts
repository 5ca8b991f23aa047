// `npm run pack:tarballs -- DIR`: every public package as a tarball in DIR (the root script builds first).
import { resolve } from "node:path";
import { packTarballs } from "./pack-tarballs.js";

const [dir, ...rest] = process.argv.slice(2);
if (dir === undefined || rest.length > 0) {
  process.stderr.write("usage: npm run pack:tarballs -- DIR (one folder, created if missing, for the tarballs)\n");
  process.exit(2);
}
const root = resolve(import.meta.dirname, "../../..");
// DIR is relative to where npm was called from, not to the root where npm runs the script
for (const tarball of packTarballs(root, resolve(process.env.INIT_CWD ?? process.cwd(), dir))) process.stdout.write(`${tarball}\n`);
