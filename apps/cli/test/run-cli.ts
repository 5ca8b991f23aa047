import { runUnroll, type CliIo } from "../src/cli.js";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const root = fileURLToPath(new URL("../../..", import.meta.url));

/** What one CLI run printed and returned. */
export interface CliResult {
  /** Exit status. */
  readonly status: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

/** Runs the `unroll` CLI from its TypeScript source (no build needed), as a user would run it. */
export function runCli(args: string[]): CliResult {
  const r = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", main, ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI in this process, capturing what it writes: the same command as {@link runCli} without a process start (seconds each). */
export async function runCliInProcess(args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const status = await runUnroll(args, io);
  return { status, stdout, stderr };
}
