import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { checkMemory, MemoryBudgetError } from "@unroll/bptt";
import writeFileAtomic from "write-file-atomic";
import { UserError } from "./user-error.js";

/**
 * A file's text, refused (from its size on disk) above the memory budget
 * before it is read; `kind` names the text in the figure ("JSON text").
 */
export function readText(path: string, what: string, memoryBudget?: number, kind = "text"): string {
  return readWithinBudget(path, what, memoryBudget, kind, (p) => readFileSync(p, "utf8"));
}

/**
 * A binary file's bytes (a safetensors file), refused above the memory budget
 * before it is read, as {@link readText} does.
 */
export function readBytes(path: string, what: string, memoryBudget?: number): Uint8Array {
  return readWithinBudget(path, what, memoryBudget, "bytes", (p) => {
    const b = readFileSync(p);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  });
}

/** Reads a file with `read` after checking its size on disk against the budget; errors name the file. */
function readWithinBudget<T>(path: string, what: string, memoryBudget: number | undefined, kind: string, read: (path: string) => T): T {
  try {
    if (memoryBudget !== undefined) {
      const { size } = statSync(path);
      // no field: the callers name the file
      checkMemory(size, memoryBudget, `reading the ${what} file needs`, `${size.toLocaleString("en-US")} bytes of ${kind}`);
    }
    return read(path);
  } catch (e) {
    if (e instanceof MemoryBudgetError) throw e;
    throw new UserError(`cannot read the ${what} file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * Reads and parses a JSON file, with an error naming the file when it cannot.
 * With a memory budget, a file whose text alone is above it is refused
 * (from its size on disk) before it is read.
 */
export function readJson(path: string, what: string, memoryBudget?: number): unknown {
  const text = readText(path, what, memoryBudget, "JSON text");
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
  writeAtomic(path, text);
}

/** Writes bytes (a safetensors file) atomically, as {@link writeJsonAtomic} does. */
export function writeBytesAtomic(path: string, bytes: Uint8Array): void {
  writeAtomic(path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

function writeAtomic(path: string, content: string | Buffer): void {
  try {
    writeFileAtomic.sync(path, content);
  } catch (e) {
    throw new UserError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

/**
 * Refuses an output path that could not be written, before any work starts,
 * so a typo in a path never throws away a finished run: the path must not be
 * a folder, its folder must exist, and the file (or, for a new file, its
 * folder) must be writable. `option` names the flag in the message.
 */
export function checkWritable(path: string, option: string): void {
  const kind = (p: string): "file" | "folder" | undefined => {
    try {
      return statSync(p).isDirectory() ? "folder" : "file";
    } catch {
      return undefined;
    }
  };
  const here = kind(path);
  if (here === "folder") throw new UserError(`${option} ${path} is a folder; give a file name`);
  const folder = dirname(path);
  if (here === undefined && kind(folder) !== "folder") throw new UserError(`${option} ${path}: the folder ${folder} does not exist`);
  try {
    accessSync(here === "file" ? path : folder, constants.W_OK);
  } catch (e) {
    throw new UserError(`${option} ${path} cannot be written: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
