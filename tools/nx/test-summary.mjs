// Prints "N passed, N failed" from the vitest JSON report of every project's `test` target
// (tools/nx/targets.mjs writes them to test-output/vitest/), as the last line CI reads.
// Fails when a project has no report, a test failed, or a run did not succeed.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { reportOf } from "./targets.mjs";

const workspaceRoot = resolve(import.meta.dirname, "..", "..");
const roots = ["packages", "apps", "tools"].flatMap((group) =>
  readdirSync(join(workspaceRoot, group), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(workspaceRoot, group, d.name, "package.json")))
    .map((d) => `${group}/${d.name}`),
);

let passed = 0;
let failed = 0;
let ok = true;
for (const root of roots) {
  const file = join(workspaceRoot, reportOf(root));
  if (!existsSync(file)) {
    console.log(`${root}: no test report (${reportOf(root)}); run its test target first`);
    ok = false;
    continue;
  }
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  if (!r.success) ok = false;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok && failed === 0 ? 0 : 1);
