// Every code block of every guide (docs/guides/*.md) and of the README (the site's index page) runs here, in order, so the guides cannot rot: TypeScript blocks against the
// workspace packages from source (`node --conditions=source --import tsx`), shell blocks with `unroll` on the PATH running the CLI
// from source, each guide in its own working folder. A `text output` block must equal what the block above it printed.
// src/code-blocks.ts says how a block is marked.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { codeBlocks, normalizeOutput, roleOf, type CodeBlock } from "./src/code-blocks.js";
import { repoRoot } from "./src/source-pages.js";

const guides = [
  ...readdirSync(join(repoRoot, "docs/guides"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/guides/${f}`),
  "README.md",
];
// inside the repository, so `@unroll/*` and tsx resolve from node_modules; one folder per run, so two runs never share one
mkdirSync(join(repoRoot, "tools/docs/.guide-run"), { recursive: true });
const runRoot = mkdtempSync(join(repoRoot, "tools/docs/.guide-run/run-"));
const bin = join(runRoot, "bin");
const tsx = ["--conditions=source", "--import", "tsx"];

mkdirSync(bin);
// `unroll` as the guides call it: the CLI from its TypeScript source, as `npx unroll` runs it after a build
writeFileSync(join(bin, "unroll"), `#!/bin/sh\nexec "${process.execPath}" ${tsx.join(" ")} "${join(repoRoot, "apps/cli/src/main.ts")}" "$@"\n`);
chmodSync(join(bin, "unroll"), 0o755);
afterAll(() => {
  rmSync(runRoot, { recursive: true, force: true });
  if (readdirSync(dirname(runRoot)).length === 0) rmSync(dirname(runRoot), { recursive: true });
});

/** Runs one block in `dir`; returns its stdout, or throws with its stderr. */
function run(block: CodeBlock, runner: "ts" | "sh", dir: string): string {
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: "1", FORCE_COLOR: "0" };
  let r;
  if (runner === "ts") {
    const file = join(dir, `block-${block.line}.ts`);
    writeFileSync(file, block.code);
    r = spawnSync(process.execPath, [...tsx, file], { cwd: dir, env, encoding: "utf8", timeout: 180_000 });
  } else {
    r = spawnSync("bash", ["-euo", "pipefail", "-c", block.code], { cwd: dir, env, encoding: "utf8", timeout: 180_000 });
  }
  if (r.status !== 0) throw new Error(`the block exited with ${r.status ?? r.signal}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

for (const guide of guides) {
  describe(guide, () => {
    const blocks = codeBlocks(readFileSync(join(repoRoot, guide), "utf8"));
    const dir = join(runRoot, guide.replace(/\.md$/, "").replaceAll("/", "-"));
    mkdirSync(dir, { recursive: true });
    let last: { block: CodeBlock; stdout: string } | undefined;

    it("marks every code block (a language; ts and sh blocks run unless marked excerpt)", () => {
      for (const block of blocks) roleOf(block);
    });

    for (const block of blocks) {
      let role;
      try {
        role = roleOf(block);
      } catch {
        continue; // the test above names it
      }
      const name = `line ${block.line}: \`\`\`${[block.lang, ...block.flags].join(" ")}`;
      if (role.kind === "run") {
        const runner = role.runner;
        it(`${name} runs`, () => {
          last = undefined;
          last = { block, stdout: run(block, runner, dir) };
        });
      } else if (role.kind === "output") {
        it(`${name} is what the block above prints`, () => {
          expect(last, "an output block follows a block that ran (and passed)").toBeDefined();
          expect(normalizeOutput(last!.stdout)).toBe(normalizeOutput(block.code));
        });
      } else if (role.kind === "file") {
        const name2 = role.name;
        it(`${name} is written to the working folder`, () => {
          if (block.lang === "json") JSON.parse(block.code);
          writeFileSync(join(dir, name2), block.code);
        });
      } else if (role.kind === "shown" && block.lang === "json") {
        it(`${name} is valid JSON`, () => {
          JSON.parse(block.code);
        });
      }
    }
  });
}

it("the shell has bash (the sh blocks run with it)", () => {
  expect(execFileSync("bash", ["-c", "echo ok"], { encoding: "utf8" }).trim()).toBe("ok");
});
