import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { createNodes } from "./targets.mjs";

const workspaceRoot = join(import.meta.dirname, "..", "..");

/** Every project's targets as tools/nx/targets.mjs infers them, by project root. */
async function inferred(): Promise<Map<string, Record<string, { command?: string; dependsOn?: unknown[] }>>> {
  const files = ["packages", "apps", "tools"].flatMap((group) =>
    readdirSync(join(workspaceRoot, group))
      .map((dir) => `${group}/${dir}/package.json`)
      .filter((file) => existsSync(join(workspaceRoot, file))),
  );
  const [, infer] = createNodes;
  const results = await infer(files, undefined, { workspaceRoot, nxJsonConfiguration: {} });
  return new Map(results.flatMap(([, r]) => Object.entries(r.projects ?? {}).map(([root, p]) => [root, p.targets as never])));
}

/** Test files as vitest's default include finds them, outside node_modules, dist and .nx. */
function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return ["node_modules", "dist", ".nx", ".git"].includes(e.name) ? [] : testFiles(join(dir, e.name));
    return /\.(test|spec)\.[cm]?[jt]sx?$/.test(e.name) ? [relative(workspaceRoot, join(dir, e.name))] : [];
  });
}

describe("the nx targets (tools/nx/targets.mjs)", () => {
  it("every project has build, test, typecheck and docs", async () => {
    for (const [root, targets] of await inferred()) expect(Object.keys(targets).sort(), root).toEqual(["build", "docs", "test", "typecheck"]);
  });

  it("every test file runs in exactly one project's test target, so `nx run-many -t test` runs what `vitest run` runs", async () => {
    const projects = await inferred();
    for (const file of testFiles(workspaceRoot)) {
      const owners = [...projects.keys()].filter((root) => file.startsWith(`${root}/`));
      expect(owners, file).toHaveLength(1);
      expect(projects.get(owners[0])?.test.command, file).toContain(`vitest run --dir ${owners[0]} `);
    }
  });

  it("runs a project with its own vitest.config.ts (the WebGPU backend's browser mode) with that config", async () => {
    const projects = await inferred();
    expect(projects.get("packages/backend-webgpu")?.test.command).toContain("--config packages/backend-webgpu/vitest.config.ts");
    expect(projects.get("packages/backend-cpu")?.test.command).not.toContain("--config");
  });

  it("builds in the order of the tsconfig references, not along test-only imports", async () => {
    const projects = await inferred();
    expect(projects.get("packages/backend-cpu")?.build.dependsOn).toEqual([
      { projects: ["@unroll/ir"], target: "build" },
      { projects: ["@unroll/bptt"], target: "build" },
      { projects: ["@unroll/kernels-wasm"], target: "build" },
      { projects: ["@unroll/kernels-cpu"], target: "build" },
    ]);
    expect(projects.get("packages/ir")?.build.dependsOn).toEqual([]);
  });
});
