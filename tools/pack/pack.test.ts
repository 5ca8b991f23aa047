import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkCliRun, checkCustomCellOutput } from "./src/check-example-output.js";
import { CUSTOM_CELL_FIRST_LOSS } from "./src/expectations.js";
import { packageProblems } from "./src/package-problems.js";
import { publicPackages, workspacePackages } from "./src/public-packages.js";
import { stagedManifest, withoutSource } from "./src/staged-manifest.js";

const root = join(import.meta.dirname, "..", "..");
const versions = new Map([
  ["@unroll/ir", "0.1.0"],
  ["@unroll/bptt", "0.1.0"],
]);
const none = new Set<string>();

describe("the staged manifest", () => {
  const dev = {
    name: "@unroll/bptt",
    version: "0.1.0",
    exports: {
      ".": { source: "./src/index.ts", types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./web": { node: { source: "./src/web.ts", default: "./dist/web.js" }, default: "./dist/web.js" },
    },
    files: ["dist"],
    scripts: { prepack: "node guard.mjs" },
    dependencies: { "@unroll/ir": "*", zod: "4.6.7" },
    devDependencies: { vitest: "4.1.12" },
    nx: { tags: ["layer:scheduler"] },
  };

  it("drops the source condition at every depth and keeps the others in order", () => {
    expect(withoutSource(dev.exports)).toEqual({
      ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./web": { node: { default: "./dist/web.js" }, default: "./dist/web.js" },
    });
    expect(Object.keys((withoutSource(dev.exports) as Record<string, object>)["."])).toEqual(["types", "default"]);
  });

  it("pins workspace dependencies to their exact version, keeps the others, and drops scripts, devDependencies and nx", () => {
    const staged = stagedManifest(dev, versions, none);
    expect(staged.dependencies).toEqual({ "@unroll/ir": "0.1.0", zod: "4.6.7" });
    expect(staged).not.toHaveProperty("scripts");
    expect(staged).not.toHaveProperty("devDependencies");
    expect(staged).not.toHaveProperty("nx");
    expect(JSON.stringify(staged)).not.toContain("source");
  });

  it("refuses a dependency on a private workspace package, and a range that the workspace version does not meet", () => {
    expect(() => stagedManifest({ ...dev, dependencies: { "@unroll/demo-kit": "*" } }, versions, new Set(["@unroll/demo-kit"]))).toThrow(
      "@unroll/bptt: dependencies has @unroll/demo-kit, a private workspace package that is never published",
    );
    expect(() => stagedManifest({ ...dev, dependencies: { "@unroll/ir": "^0.2.0" } }, versions, none)).toThrow(
      '@unroll/bptt: dependencies.@unroll/ir is "^0.2.0"; the workspace has 0.1.0 ("*" or "0.1.0")',
    );
  });
});

describe("the public packages of this repository", () => {
  const packages = publicPackages(root);
  const names = packages.map((p) => p.manifest.name);

  it("are the workspace packages that are not private: the libraries, the CLI and the umbrella, not the demo kit or the tools", () => {
    expect(names).toEqual(expect.arrayContaining(["@unroll/ir", "@unroll/bptt", "@unroll/backend-cpu", "@unroll/cli", "@unroll/unroll"]));
    expect(names).not.toContain("@unroll/demo-kit");
    expect(names.filter((n) => ["@unroll/pack", "@unroll/demo", "@unroll/web", "@unroll/docs"].includes(n))).toEqual([]);
    expect(workspacePackages(root).length).toBeGreaterThan(packages.length);
  });

  it("each has a version, a license, README.md, LICENSE (the repository's), files, exports and the prepack guard", () => {
    expect(packages.flatMap(packageProblems)).toEqual([]);
    const license = readFileSync(join(root, "LICENSE"), "utf8");
    for (const p of packages) expect(readFileSync(join(p.dir, "LICENSE"), "utf8"), p.manifest.name).toBe(license);
  });

  it("each stages a manifest with no source condition and exact internal versions", () => {
    const all = new Map(packages.map((p) => [p.manifest.name, p.manifest.version ?? ""]));
    const privateNames = new Set(
      workspacePackages(root)
        .filter((p) => p.manifest.private === true)
        .map((p) => p.manifest.name),
    );
    for (const p of packages) {
      expect(JSON.stringify(p.manifest.exports), p.manifest.name).toContain('"source"'); // the development manifest has it
      const staged = stagedManifest(p.manifest, all, privateNames);
      expect(JSON.stringify(staged.exports), p.manifest.name).not.toContain('"source"');
      for (const [dep, range] of Object.entries(staged.dependencies ?? {})) if (all.has(dep)) expect(range, `${p.manifest.name} → ${dep}`).toBe(all.get(dep));
    }
  });

  it("a plain npm pack in a package folder is refused by the prepack guard, naming the way to pack", () => {
    const r = spawnSync(process.execPath, [join(root, "tools/pack/prepack-guard.mjs")], { cwd: join(root, "packages/ir"), encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("@unroll/ir: refusing to pack the development manifest");
    expect(r.stderr).toContain("npm run pack:tarballs -- DIR");
  });
});

describe("examples/", () => {
  it("holds the README's custom-cell example exactly", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## A custom cell in TypeScript"));
    const block = /```ts\n([\s\S]*?)```\n/.exec(section)?.[1];
    expect(readFileSync(join(root, "examples/src/custom-cell.ts"), "utf8")).toBe(block);
  });

  it("the output checks accept the measured figures and refuse others", () => {
    const printed = (first: number, last: number) => `${first} [ 8, 8 ]\nepoch 25: loss 0.00508\nepoch 100: loss ${last}\n`;
    expect(checkCustomCellOutput(printed(0.2843848928729901, 0.00321))).toEqual({ firstLoss: 0.2843848928729901, finalLoss: 0.00321 });
    expect(() => checkCustomCellOutput(printed(CUSTOM_CELL_FIRST_LOSS + 0.01, 0.00321))).toThrow("the first loss should be");
    expect(() => checkCustomCellOutput(printed(0.2844, 0.25))).toThrow("the loss of epoch 100 should be below");
    expect(() => checkCustomCellOutput("")).toThrow("the first loss should be");
    const log = (loss: number) => `${JSON.stringify({ epoch: 1, loss })}\n${JSON.stringify({ epoch: 2, loss: 0.1 })}\n`;
    expect(checkCliRun(log(0.44666682971346744), '{"loss":0.00467}')).toEqual({ firstLoss: 0.44666682971346744, trainedLoss: 0.00467 });
    expect(() => checkCliRun(log(0.45), '{"loss":0.00467}')).toThrow("unroll train: the first loss should be");
    expect(() => checkCliRun(log(0.4467), '{"loss":0.2}')).toThrow("unroll run: the loss after training should be below");
  });
});
