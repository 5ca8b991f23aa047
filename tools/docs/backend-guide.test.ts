// docs/guides/writing-a-backend.md walks through @unroll/backend-webgpu file by file with each file's line count, and names
// the async-host test device with its own: the counts must be true, and every source file of the package must be in the table.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./src/source-pages.js";

const guide = readFileSync(join(repoRoot, "docs/guides/writing-a-backend.md"), "utf8");
const lineCount = (path: string): number => readFileSync(join(repoRoot, path), "utf8").trimEnd().split("\n").length;
const source = join(repoRoot, "packages/backend-webgpu/src");
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));

describe("writing-a-backend.md's worked example", () => {
  // rows: | [`kernels/sources.ts`](../../packages/backend-webgpu/src/kernels/sources.ts) | what | 151 | methods |
  const rows = new Map(
    [...guide.matchAll(/^\| \[`([^`]+)`\]\(\.\.\/\.\.\/packages\/backend-webgpu\/src\/\1\) \| [^|]+ \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2])]),
  );

  it("lists every source file of @unroll/backend-webgpu with its true line count", () => {
    const actual = new Map(files(source).map((f) => [relative(source, f), lineCount(join("packages/backend-webgpu/src", relative(source, f)))]));
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(actual));
  });

  it("states the package's total", () => {
    const total = [...rows.values()].reduce((a, b) => a + b, 0);
    expect(guide).toContain(`All of it is ${total} lines`);
  });

  it("states the async-host device's true line count", () => {
    expect(guide).toContain(`async-host-device.ts): ${lineCount("packages/backend-cpu/test/async-device/async-host-device.ts")} lines`);
  });
});
