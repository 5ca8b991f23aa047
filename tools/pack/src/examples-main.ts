// `npm run examples`: unroll as a user installs it. Builds, packs every public package, installs the tarballs into a
// temporary copy of examples/ (outside the workspaces, so nothing resolves to the sources), type-checks the example
// with the consumer's own tsconfig, runs it and the installed `unroll` command, and checks the figures they print.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { checkCliRun, checkCustomCellOutput } from "./check-example-output.js";
import { packTarballs } from "./pack-tarballs.js";
import { tarballsFor } from "./tarballs-for.js";

const root = resolve(import.meta.dirname, "../../..");
const started = Date.now();
const step = (what: string) => process.stdout.write(`examples: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

const work = mkdtempSync(join(tmpdir(), "unroll-examples-"));
try {
  step("build (tsc -b: every project of the root tsconfig.json, as `npm run build` builds them)");
  run("npx", ["--no", "--", "tsc", "-b"], root);
  step("pack");
  const project = join(work, "examples");
  cpSync(join(root, "examples"), project, {
    recursive: true,
    filter: (src) => !["node_modules", "dist", "tarballs", "package-lock.json"].includes(basename(src)),
  });
  const tarballs = packTarballs(root, join(project, "tarballs"));
  // the umbrella and every package it depends on (all of them at once: they are not on the registry to fetch one by one)
  const install = tarballsFor("@unroll/unroll", tarballs).map((t) => `./tarballs/${basename(t)}`);
  step(`npm install ${install.length} tarballs`);
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...install], project);
  const installed = readFileSync(join(project, "node_modules/@unroll/ir/package.json"), "utf8");
  if (installed.includes('"source"')) throw new Error("the installed @unroll/ir manifest has the development `source` condition");

  step("tsc (the consumer's tsconfig)");
  run("npx", ["--no", "--", "tsc", "-p", "."], project);
  step("custom cell");
  const cell = checkCustomCellOutput(run("node", ["dist/custom-cell.js"], project));
  step(`custom cell: first loss ${cell.firstLoss}, epoch 100 ${cell.finalLoss}; unroll train`);
  const sine = ["--model", "sine/model.json", "--data", "sine/data.json"];
  const train = ["train", ...sine, "--seed", "1", "--optimizer", "adam", "--lr", "0.01", "--epochs", "20", "--truncate", "20"];
  run("npx", ["--no", "--", "unroll", ...train, "--save", "w.json", "--log", "log.jsonl", "--quiet"], project);
  run("npx", ["--no", "--", "unroll", "run", ...sine, "--weights", "w.json", "--out", "out.json"], project);
  const cli = checkCliRun(readFileSync(join(project, "log.jsonl"), "utf8"), readFileSync(join(project, "out.json"), "utf8"));
  step(`unroll: first loss ${cli.firstLoss}, after 20 epochs ${cli.trainedLoss}; all checks passed`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
