import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
// an absolute loader URL, so that the demo can run in any working directory
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** What one demo run printed and returned. */
export interface DemoResult {
  /** Exit status. */
  readonly status: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

/** Runs the demo from its TypeScript source (no build needed), as `npm run demo -- ARGS` would, in `cwd`. */
export function runDemo(args: string[], cwd: string): DemoResult {
  const r = spawnSync(process.execPath, ["--conditions=source", "--import", tsx, main, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The number printed after `label` in the output, e.g. `final loss 2.345`. */
export function numberAfter(output: string, label: string): number {
  const m = new RegExp(`${label} (-?\\d+(?:\\.\\d+)?)`).exec(output);
  if (!m) throw new Error(`no "${label}" in the output:\n${output}`);
  return Number(m[1]);
}
