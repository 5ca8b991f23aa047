// A local nx plugin (registered in nx.json): it gives every project under packages/, apps/ and tools/
// the same build, test, typecheck and docs targets, so `nx run-many` and `nx affected` see one
// uniform workspace without a project.json per project. `lint` comes from @nx/eslint/plugin.
// Caching (inputs, outputs) is declared here too; nx.json only holds the named inputs.
import { existsSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import ts from "typescript";

/** Where each project's vitest JSON report goes; tools/nx/test-summary.mjs sums them. */
export const reportDir = "test-output/vitest";

/** The report file of the project at `root` ("packages/ir" → "test-output/vitest/packages-ir.json"). */
export const reportOf = (root) => `${reportDir}/${root.replaceAll("/", "-")}.json`;

/** @type {import("@nx/devkit").CreateNodes} */
export const createNodes = [
  "{packages,apps,tools}/*/package.json",
  (files, _options, context) =>
    files.map((file) => {
      const root = dirname(file);
      return [file, { projects: { [root]: { targets: targetsOf(root, context.workspaceRoot) } } }];
    }),
];

function readJson(path) {
  const { config, error } = ts.readConfigFile(path, ts.sys.readFile); // tolerates comments and trailing commas
  if (error) throw new Error(`${path}: ${ts.flattenDiagnosticMessageText(error.messageText, "\n")}`);
  return config;
}

// Projects whose tests read the whole workspace (every package.json, eslint.config.mjs, the project graph, where the test
// files are; tools/docs: the guides run code from every package, the site test reads docs/site): no list of inputs would be both complete and smaller than everything, so their results are never cached.
const readsWholeWorkspace = new Set(["tools/docs", "tools/lint", "tools/nx"]);

const noop = (why) => ({ executor: "nx:noop", metadata: { description: why } });

function targetsOf(root, workspaceRoot) {
  const pkg = readJson(join(workspaceRoot, root, "package.json"));
  const scripts = pkg.scripts ?? {};
  const tsconfigPath = join(workspaceRoot, root, "tsconfig.json");
  const tsconfig = existsSync(tsconfigPath) ? readJson(tsconfigPath) : undefined;
  // a project built by `tsc -b` (composite, emits dist/), as opposed to apps/web's noEmit config for the IDE
  const emits = tsconfig !== undefined && tsconfig.compilerOptions?.noEmit !== true;
  // the umbrella package (@unroll/unroll) only re-exports the libraries: its API reference is theirs
  const isLibrary = root.startsWith("packages/") && !(pkg.nx?.tags ?? []).includes("layer:umbrella");
  return {
    build: scripts.build
      ? { executor: "nx:run-script", options: { script: "build" }, cache: true, inputs: ["default", "^default"], outputs: ["{projectRoot}/dist"] }
      : emits
        ? {
            command: `tsc -b ${root}`,
            cache: true,
            inputs: ["default", "^default"],
            outputs: ["{projectRoot}/dist"],
            // build order follows the tsconfig references (what `tsc -b` itself follows), not the project graph:
            // the graph also holds test-only imports (backend-cpu's tests run @unroll/backend-conformance, which
            // imports backend-cpu), and `^build` would turn that cycle into a circular task graph
            dependsOn: (tsconfig.references ?? []).map((ref) => ({
              projects: [readJson(join(workspaceRoot, root, ref.path, "package.json")).name],
              target: "build",
            })),
          }
        : noop("nothing to build: runs from its TypeScript sources (vitest, tsx)"),
    test: {
      // one vitest run per project over the root vitest.config.ts, limited to this project's folder;
      // each writes its JSON report for the "N passed, N failed" line of CI
      // (a project with its own vitest.config.ts, such as the WebGPU backend's browser mode, runs with that one)
      command: `vitest run --dir ${root} ${existsSync(join(workspaceRoot, root, "vitest.config.ts")) ? `--config ${root}/vitest.config.ts ` : ""}--passWithNoTests --reporter=default --reporter=json --outputFile.json=${reportOf(root)}`,
      cache: !readsWholeWorkspace.has(root),
      // one test run at a time, as when one vitest process ran them all: several at once on a 2-core machine slow
      // the timing-sensitive browser tests (the web demo's main-thread timer gaps) into failures
      parallelism: false,
      inputs: ["default", "^default", "testEnvironment"],
      outputs: [`{workspaceRoot}/${reportOf(root)}`],
    },
    typecheck: {
      command: `node tools/nx/typecheck.mjs ${root}`,
      cache: true,
      inputs: [
        "default",
        "^default",
        "{workspaceRoot}/tsconfig.check.json",
        "{workspaceRoot}/tools/nx/typecheck.mjs",
        { externalDependencies: ["typescript"] },
      ],
    },
    docs: isLibrary
      ? {
          // this package's part of the API reference as typedoc JSON; `npm run docs` merges the parts into the site, docs/site.
          // Links into other packages resolve only in the merge, so they are validated there.
          command: `typedoc --entryPoints ${root} --json ${posix.join(root, "dist-docs", "api.json")} --validation.invalidLink false`,
          cache: true,
          dependsOn: ["build"],
          // the guides: a package's comments link them by relative path, and typedoc records (and checks) what each link finds
          inputs: ["default", "^default", "{workspaceRoot}/typedoc.json", "{workspaceRoot}/docs/guides/**/*", { externalDependencies: ["typedoc"] }],
          outputs: ["{projectRoot}/dist-docs"],
        }
      : noop("no API reference: only the packages/ libraries have one (the umbrella re-exports theirs)"),
  };
}
