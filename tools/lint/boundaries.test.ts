import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { ESLint, type Linter } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

// Lints small sources placed (by path only: nothing is written) inside real projects with the repository's
// eslint.config.mjs, so each case goes through nx's project graph, the projects' tags and the layer rules.
const root = join(import.meta.dirname, "..", "..");
const BOUNDARIES = "@nx/enforce-module-boundaries";

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function lint(file: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result.messages;
}

/** The messages of the import rules (the boundaries rule, and the deep-import bans). */
async function importProblems(file: string, code: string): Promise<Linter.LintMessage[]> {
  const rules = [BOUNDARIES, "no-restricted-imports", "no-restricted-syntax"];
  return (await lint(file, code)).filter((m) => rules.includes(m.ruleId ?? "") || m.fatal);
}

describe("package boundaries (eslint.config.mjs)", () => {
  it("every project has one layer tag, and the rule has a constraint for it", async () => {
    for (const group of ["packages", "apps", "tools"]) {
      for (const dir of readdirSync(join(root, group))) {
        const file = join(root, group, dir, "package.json");
        if (!existsSync(file)) continue;
        const config = await eslint.calculateConfigForFile(join(root, group, dir, "src", "fixture.ts"));
        const [, options] = config?.rules?.[BOUNDARIES] as [number, { depConstraints: { sourceTag: string }[] }];
        const constrained = new Set(options.depConstraints.map((c) => c.sourceTag));
        const tags: string[] = JSON.parse(readFileSync(file, "utf8")).nx?.tags ?? [];
        expect(
          tags.filter((t) => t.startsWith("layer:")),
          `${group}/${dir}: one layer tag`,
        ).toHaveLength(1);
        expect(
          tags.filter((t) => constrained.has(t)),
          `${group}/${dir}: its layer has a rule`,
        ).toHaveLength(1);
      }
    }
  });

  describe("the layer rules", () => {
    // nx reports an import that closes a cycle in the project graph (an upward import) as the cycle, before the tags
    const layer = (tag: string) => `A project tagged with "${tag}" can only depend on libs tagged with`;
    const nothing = (tag: string) => `A project tagged with "${tag}" cannot depend on any libs with tags`;
    const cycle = (from: string, to: string) => `Circular dependency between "@unroll/${from}" and "@unroll/${to}" detected`;
    it.each([
      ["the IR imports nothing", "packages/ir/src/fixture.ts", "@unroll/bptt", cycle("ir", "bptt")],
      ["the IR imports no kernels", "packages/ir/src/fixture.ts", "@unroll/kernels-wasm", nothing("layer:ir")],
      ["the kernels import only the IR, not the scheduler", "packages/kernels-cpu/src/fixture.ts", "@unroll/bptt", layer("layer:kernels")],
      ["the scheduler does not import a backend", "packages/bptt/src/fixture.ts", "@unroll/backend-cpu", cycle("bptt", "backend-cpu")],
      ["the scheduler does not import the kernels", "packages/bptt/src/fixture.ts", "@unroll/kernels-wasm", layer("layer:scheduler")],
      ["a backend does not import the pool", "packages/backend-cpu/src/fixture.ts", "@unroll/backend-workers", cycle("backend-cpu", "backend-workers")],
      ["a backend's src/ does not import the test kit", "packages/backend-cpu/src/fixture.ts", "@unroll/backend-conformance", layer("layer:backend")],
      ["the pool's src/ does not import the test kit", "packages/backend-workers/src/fixture.ts", "@unroll/backend-conformance", layer("layer:backend-pool")],
      [
        "a backend's test/ does not import the pool",
        "packages/backend-cpu/test/fixture.test.ts",
        "@unroll/backend-workers",
        cycle("backend-cpu", "backend-workers"),
      ],
      [
        "the test kit does not import the pool",
        "packages/backend-conformance/src/fixture.ts",
        "@unroll/backend-workers",
        cycle("backend-conformance", "backend-workers"),
      ],
      ["the kernels do not import a backend", "packages/kernels-cpu/src/fixture.ts", "@unroll/backend-cpu", cycle("kernels-cpu", "backend-cpu")],
      ["the drawings do not import a backend", "packages/viz/src/fixture.ts", "@unroll/backend-cpu", layer("layer:viz")],
      ["the data loaders do not import the scheduler", "packages/data/src/fixture.ts", "@unroll/bptt", layer("layer:data")],
      ["an app does not import the test kit", "apps/demo/src/fixture.ts", "@unroll/backend-conformance", layer("layer:app")],
      ["the backend registry does not import the test kit", "packages/backends/src/fixture.ts", "@unroll/backend-conformance", layer("layer:backend-registry")],
      ["the umbrella does not import the test kit", "packages/unroll/src/fixture.ts", "@unroll/backend-conformance", layer("layer:umbrella")],
      ["an app's tests do not import the test kit either", "apps/cli/test/fixture.test.ts", "@unroll/backend-conformance", layer("layer:app")],
    ])("%s", async (_, file, target, message) => {
      const problems = await importProblems(file, `import * as m from "${target}";\nexport const used = m;\n`);
      expect(problems.map((m) => m.ruleId)).toEqual([BOUNDARIES]);
      expect(problems[0].message).toContain(message);
      expect(problems[0].severity).toBe(2);
    });

    it("allows a dynamic import of an exported subpath", async () => {
      expect(await importProblems("tools/bench/src/fixture.ts", `export const m = await import("@unroll/backend-workers/web");\n`)).toEqual([]);
    });

    it("reports dynamic imports and re-exports too", async () => {
      const code = `export * from "@unroll/backend-cpu";\nexport const m = await import("@unroll/backend-workers");\n`;
      const problems = await importProblems("packages/bptt/src/fixture.ts", code);
      expect(problems.map((m) => [m.ruleId, m.line])).toEqual([
        [BOUNDARIES, 1],
        [BOUNDARIES, 2],
      ]);
    });

    it.each([
      ["the scheduler imports the IR", "packages/bptt/src/fixture.ts", "@unroll/ir"],
      ["a backend imports the IR, the scheduler and the kernels", "packages/backend-cpu/src/fixture.ts", "@unroll/kernels-wasm"],
      ["the pool wraps the CPU backend", "packages/backend-workers/src/fixture.ts", "@unroll/backend-cpu"],
      ["a backend's test/ runs the test kit", "packages/backend-cpu/test/fixture.test.ts", "@unroll/backend-conformance"],
      ["the pool's test/ runs the test kit", "packages/backend-workers/test/fixture.test.ts", "@unroll/backend-conformance"],
      ["the test kit uses the CPU backend as its reference", "packages/backend-conformance/src/fixture.ts", "@unroll/backend-cpu"],
      ["an app imports the pool", "apps/cli/src/fixture.ts", "@unroll/backend-workers"],
      ["an app imports the drawings", "apps/web/src/fixture.ts", "@unroll/viz"],
      ["an app imports the data loaders", "apps/cli/src/fixture.ts", "@unroll/data"],
      ["the drawings read the scheduler's plans", "packages/viz/src/fixture.ts", "@unroll/bptt"],
      ["an app imports an exported subpath", "apps/web/src/fixture.ts", "@unroll/backend-workers/web"],
      ["an app imports the backend registry", "apps/cli/src/fixture.ts", "@unroll/backends"],
      ["the backend registry imports the pool's browser entry", "packages/backends/src/fixture.ts", "@unroll/backend-workers/web"],
      ["a tool imports the test kit", "tools/bench/src/fixture.ts", "@unroll/backend-conformance"],
      ["a package imports itself through its index", "packages/kernels-wasm/bench/fixture.ts", "@unroll/kernels-wasm"],
    ])("allows: %s", async (_, file, target) => {
      expect(await importProblems(file, `import * as m from "${target}";\nexport const used = m;\n`)).toEqual([]);
    });
  });

  describe("imports that bypass a package's entry points", () => {
    it.each([
      ["a deep import into src/", `import { tensor } from "@unroll/ir/src/tensor.js";\nexport const t = tensor;\n`, "no-restricted-imports"],
      ["a deep re-export", `export * from "@unroll/ir/src/tensor.js";\n`, "no-restricted-imports"],
      ["a deep dynamic import", `export const m = await import("@unroll/ir/src/tensor.js");\n`, "no-restricted-syntax"],
      ["a subpath the package does not export", `import * as m from "@unroll/backend-workers/src/web.js";\nexport const used = m;\n`, "no-restricted-imports"],
      ["a project without exports", `import * as m from "@unroll/demo";\nexport const used = m;\n`, "no-restricted-imports"],
    ])("rejects %s", async (_, code, ruleId) => {
      const problems = await importProblems("packages/bptt/src/fixture.ts", code);
      expect(problems.map((m) => m.ruleId)).toContain(ruleId);
      expect(problems.find((m) => m.ruleId === ruleId)?.message).toContain("only through an entry point its package.json exports");
    });

    it("rejects a relative import into another project", async () => {
      const problems = await importProblems("packages/bptt/src/fixture.ts", `import { tensor } from "../../ir/src/tensor.js";\nexport const t = tensor;\n`);
      expect(problems.map((m) => m.ruleId)).toEqual([BOUNDARIES]);
      expect(problems[0].message).toContain("Projects cannot be imported by a relative or absolute path");
    });

    it("rejects a relative import that leaves the project for a folder outside every project", async () => {
      const problems = await importProblems("apps/cli/src/fixture.ts", `import x from "../../../docs/guides/model-spec.md";\nexport const used = x;\n`);
      expect(problems.map((m) => m.ruleId)).toEqual([BOUNDARIES]);
      expect(problems[0].message).toContain("External resources cannot be imported using a relative or absolute path");
    });

    it("allows relative imports inside the project, including asset queries", async () => {
      const code = `import { a } from "./a.js";\nimport { b } from "../model/b.js";\nimport raw from "./corpus.txt?raw";\nexport const used = [a, b, raw];\n`;
      expect(await importProblems("packages/ir/src/cells/fixture.ts", code)).toEqual([]);
      expect(await importProblems("apps/web/src/fixture.ts", code)).toEqual([]);
    });
  });
});
