// ESLint over the whole repository: ESLint's and typescript-eslint's recommended rules plus the package boundaries,
// checked by nx's own rule (@nx/enforce-module-boundaries) from the nx tags in each package.json.
// `npm run lint` runs it in one process; `nx run-many -t lint` runs it per project (@nx/eslint/plugin), cached.
// tools/lint/boundaries.test.ts proves that the boundary rules reject what they should.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, posix } from "node:path";
import js from "@eslint/js";
import nx from "@nx/eslint-plugin";
import { createProjectGraphAsync } from "@nx/devkit";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

// The boundaries rule reads nx's cached project graph and silently skips itself when there is none (a fresh clone):
// compute it first. Not when nx is building the graph (its eslint plugin loads this file) or runs this as a task
// (its process has just computed the graph).
if (!globalThis.NX_GRAPH_CREATION && !process.env.NX_TASK_TARGET_PROJECT) await createProjectGraphAsync({ exitOnError: true });

/**
 * Which nx tag may import which (the tags are in each package.json's `nx.tags`). The pipeline order: the IR imports
 * nothing, kernels the IR (op types), the scheduler the IR, a backend the IR, the scheduler and the kernels. A pool
 * backend wraps a backend (the worker pool runs the shared executor on the CPU device in each worker). The drawings
 * read the IR and the scheduler's plans, never a backend. The backend registry names the backends and pools the apps
 * offer; the demo kit holds what the demos share (it trains on any backend it is handed). Apps import every layer but
 * the test kit. The data loaders (@unroll/data) read text into the IR's tensors, and nothing else; the converters (@unroll/interop)
 * translate IR programs and tensors to and from other frameworks' files. The umbrella
 * package (@unroll/unroll) re-exports every public package, the CLI among them.
 */
const layers = {
  "layer:ir": [],
  "layer:kernels": ["layer:ir"],
  "layer:scheduler": ["layer:ir"],
  "layer:backend": ["layer:ir", "layer:scheduler", "layer:kernels"],
  "layer:testkit": ["layer:backend", "layer:ir", "layer:kernels", "layer:scheduler"],
  "layer:backend-pool": ["layer:ir", "layer:scheduler", "layer:backend", "layer:kernels"],
  "layer:backend-registry": ["layer:ir", "layer:scheduler", "layer:backend", "layer:backend-pool"],
  "layer:demo-kit": ["layer:ir", "layer:scheduler"],
  "layer:viz": ["layer:ir", "layer:scheduler"],
  "layer:data": ["layer:ir"],
  "layer:interop": ["layer:ir"],
  "layer:app": [
    "layer:backend",
    "layer:backend-pool",
    "layer:backend-registry",
    "layer:demo-kit",
    "layer:ir",
    "layer:kernels",
    "layer:scheduler",
    "layer:viz",
    "layer:data",
    "layer:interop",
  ],
  "layer:umbrella": [
    "layer:app",
    "layer:backend",
    "layer:backend-pool",
    "layer:backend-registry",
    "layer:ir",
    "layer:kernels",
    "layer:scheduler",
    "layer:viz",
    "layer:data",
    "layer:interop",
  ],
  "layer:tool": [
    "layer:app",
    "layer:backend",
    "layer:backend-pool",
    "layer:backend-registry",
    "layer:demo-kit",
    "layer:ir",
    "layer:kernels",
    "layer:scheduler",
    "layer:testkit",
    "layer:viz",
    "layer:umbrella",
    "layer:data",
    "layer:interop",
  ],
};

/** What files under a project's test/ folder may import on top of its layer (a backend's tests run the conformance kit); src/ keeps the plain rule. */
const testLayers = {
  "layer:backend": ["layer:testkit"],
  "layer:demo-kit": ["layer:backend"],
  "layer:backend-pool": ["layer:testkit", "layer:backend"],
  // the converters' tests run the converted model on the CPU backend to compare it with ONNX Runtime and PyTorch
  "layer:interop": ["layer:scheduler", "layer:backend"],
};

/** The folders of the files that count as a project's tests for `testLayers`. */
const testFiles = ["{packages,apps,tools}/*/test/**"];

const boundaries = (extra) => [
  "error",
  {
    depConstraints: Object.entries(layers).map(([tag, allowed]) => ({
      sourceTag: tag,
      onlyDependOnLibsWithTags: [...new Set([...allowed, ...(extra[tag] ?? [])])],
    })),
    // a package may import itself by name through an entry point (kernels-wasm's benchmark does, as a user would)
    allowCircularSelfDependency: true,
    // test-only cycles: backend-cpu's tests run the conformance suite, whose reference backend is backend-cpu
    ignoredCircularDependencies: [["@unroll/backend-cpu", "@unroll/backend-conformance"]],
  },
];

/** Every `@unroll/...` specifier that a package.json `exports` (its index, and subpaths such as `@unroll/backend-workers/web`). */
const entryPoints = ["packages", "apps", "tools"].flatMap((group) =>
  readdirSync(join(import.meta.dirname, group))
    .filter((dir) => existsSync(join(import.meta.dirname, group, dir, "package.json")))
    .flatMap((dir) => {
      const pkg = JSON.parse(readFileSync(join(import.meta.dirname, group, dir, "package.json"), "utf8"));
      return Object.keys(pkg.exports ?? {}).map((key) => posix.join(pkg.name, key));
    }),
);
// "/" is left as it is: the import() selector below spells every "/" as \x2F, which an escaped "\/" would break
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// any @unroll/ specifier that is not exactly an exported entry point: @unroll/ir/src/tensor.js, @unroll/demo (no exports)
const notAnEntryPoint = `^@unroll/(?!(${entryPoints.map((e) => escape(e.slice("@unroll/".length))).join("|")})$)`;
const deepImportMessage = "Import another package only through an entry point its package.json exports (its src/index.ts), not its files.";

export default defineConfig(
  {
    ignores: [
      "**/dist/",
      "**/dist-docs/",
      "docs/site/",
      "tools/docs/.guide-run/",
      ".nx/",
      "test-output/",
      "demo-output/",
      // AssemblyScript (i32, v128, @inline): compiled by asc, not TypeScript, and generated into src/generated/
      "packages/kernels-wasm/assembly/",
      "packages/kernels-wasm/src/generated/",
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { "@nx": nx },
    rules: {
      // `const { type: _, ...rest } = m` is how the code drops a field from a copy
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
      "@nx/enforce-module-boundaries": boundaries({}),
      "no-restricted-imports": ["error", { patterns: [{ regex: notAnEntryPoint, message: deepImportMessage }] }],
      // the same for import(), which no-restricted-imports does not see (esquery's regex cannot hold a "/")
      "no-restricted-syntax": [
        "error",
        { selector: `ImportExpression > Literal.source[value=/${notAnEntryPoint.replaceAll("/", "\\x2F")}/]`, message: deepImportMessage },
      ],
    },
  },
  {
    files: testFiles,
    rules: { "@nx/enforce-module-boundaries": boundaries(testLayers) },
  },
  {
    // browser code (the web demo, the worker pool's browser entry and test page, the bench's page) also sees the DOM globals
    files: ["apps/web/src/**", "packages/backend-workers/test/browser/page/**", "tools/bench/page/**"],
    languageOptions: { globals: { ...globals.browser } },
  },
);
