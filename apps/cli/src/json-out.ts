import type { CliIo } from "./io.js";
import { checkWritable, writeJsonAtomic } from "./files.js";

/** The `--out` value that means standard output. */
export const STDOUT = "-";

/** Checks an `--out` path before any work starts (see {@link checkWritable}); `-` (standard output) is always writable. */
export function checkOut(path: string, option = "--out"): void {
  if (path !== STDOUT) checkWritable(path, option);
}

/** Writes a command's JSON result: to standard output for `--out -`, else atomically to the file. */
export function writeOut(path: string, value: unknown, io: CliIo): void {
  if (path === STDOUT) io.stdout(JSON.stringify(value) + "\n");
  else writeJsonAtomic(path, value);
}

/**
 * Prints a command's one-line summary unless `quiet`: on standard output, or
 * on standard error when the JSON itself goes to standard output (`--out -`),
 * so that standard output stays one valid JSON document.
 */
export function printSummary(line: string, out: string, quiet: boolean | undefined, io: CliIo): void {
  if (quiet) return;
  (out === STDOUT ? io.stderr : io.stdout)(line + "\n");
}
