import { readFileSync } from "node:fs";
import writeFileAtomic from "write-file-atomic";
import { UserError } from "./user-error.js";

/** Reads and parses a JSON file, with an error naming the file when it cannot. */
export function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UserError(`cannot read the ${what} file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Writes JSON atomically (a temporary file, then a rename), so an interrupted
 * run never leaves a half-written file behind.
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeTextAtomic(path, JSON.stringify(value) + "\n");
}

/** Writes text atomically, as {@link writeJsonAtomic} does. */
export function writeTextAtomic(path: string, text: string): void {
  try {
    writeFileAtomic.sync(path, text);
  } catch (e) {
    throw new UserError(`cannot write ${path}: ${(e as Error).message}`);
  }
}
