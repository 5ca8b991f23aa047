// The `typecheck` target of one project: `node tools/nx/typecheck.mjs packages/ir`.
// It type-checks the project's share of the root tsconfig.check.json program (its sources and tests,
// on the sources of its dependencies through the "source" condition), plus every noEmit tsconfig.json
// inside the project (the browser code of apps/web and of backend-workers' browser test page),
// so the projects together check what `npm run typecheck` checks. Errors are reported only for
// the project's own files: a dependency's errors belong to that dependency's target.
import { readdirSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import ts from "typescript";

const workspaceRoot = resolve(import.meta.dirname, "..", "..");
const projectRoot = process.argv[2];
if (!projectRoot) throw new Error("usage: node tools/nx/typecheck.mjs <project root>");
const projectDir = resolve(workspaceRoot, projectRoot);
const inProject = (file) => resolve(file).startsWith(projectDir + sep);

const host = {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (d) => {
    throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  },
};

/** Diagnostics of `config` for the root files that `keep` selects. */
function check(config, keep) {
  const parsed = ts.getParsedCommandLineOfConfigFile(config, undefined, host);
  const rootNames = parsed.fileNames.filter(keep);
  if (rootNames.length === 0) return [];
  const program = ts.createProgram({ rootNames, options: parsed.options, projectReferences: parsed.projectReferences });
  const files = rootNames.map((f) => program.getSourceFile(f)).filter((sf) => sf !== undefined);
  return [
    ...parsed.errors,
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...files.flatMap((sf) => [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]),
  ];
}

/** tsconfig.json files inside the project that make a program of their own (noEmit: not a `tsc -b` build config). */
function ownPrograms(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name.startsWith("dist") ? [] : ownPrograms(path);
    if (e.name !== "tsconfig.json") return [];
    const { config } = ts.readConfigFile(path, ts.sys.readFile);
    return config?.compilerOptions?.noEmit === true ? [path] : [];
  });
}

const started = performance.now();
const diagnostics = [
  ...check(join(workspaceRoot, "tsconfig.check.json"), inProject),
  ...ownPrograms(projectDir).flatMap((config) => check(config, () => true)),
];
const formatHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => workspaceRoot, getNewLine: () => "\n" };
if (diagnostics.length > 0) {
  process.stderr.write(ts.formatDiagnosticsWithColorAndContext(diagnostics, formatHost));
  process.exitCode = 1;
}
console.log(`${projectRoot}: ${diagnostics.length} type errors (${((performance.now() - started) / 1000).toFixed(1)} s)`);
