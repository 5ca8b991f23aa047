import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A scratch folder for one fuzz run's files, removed by `remove`. */
export interface ScratchFolder {
  /** Its path. */
  readonly path: string;
  /** Writes `text` to a file of the folder and returns its path. */
  write(name: string, text: string): string;
  /** Deletes the folder and everything in it. */
  remove(): void;
}

/** A fresh scratch folder under the system's temporary folder. */
export function scratchFolder(prefix: string): ScratchFolder {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    write: (name, text) => {
      const file = join(path, name);
      mkdirSync(path, { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/**
 * A document as a file's text: JSON as `JSON.stringify` writes it (own `"__proto__"`
 * keys included; NaN and ±Infinity become null), or, when `cut` is set, JSON cut off there.
 */
export function documentText(doc: unknown, cut?: number): string {
  let text: string;
  try {
    text = JSON.stringify(doc) ?? "null";
  } catch {
    // nested too deeply for JSON.stringify: a file of the same depth, written by hand
    text = "[".repeat(20_000) + "]".repeat(20_000);
  }
  return cut === undefined ? text : text.slice(0, Math.floor(cut * text.length));
}
