import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "./user-error.js";

/**
 * The text shipped with the demo: Shakespeare's Sonnets I–L (public domain),
 * see `data/README.md`. The same relative path works from `src/` and `dist/`.
 */
export const DEFAULT_TEXT = fileURLToPath(new URL("../data/sonnets.txt", import.meta.url));

/** A training text and where it came from. */
export interface TextCorpus {
  /** Short name for reports: the file name. */
  readonly name: string;
  /** The text, line ends normalized to `\n`. */
  readonly text: string;
}

/** Shortest text worth training on, in characters. */
const MIN_CHARS = 100;

/** Reads a UTF-8 text file (default: the shipped sonnets) to train on. */
export function loadCorpus(path: string = DEFAULT_TEXT): TextCorpus {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UserError(`cannot read the text file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  text = text.replace(/\r\n?/g, "\n");
  const chars = Array.from(text).length;
  if (chars < MIN_CHARS) throw new UserError(`${path} has ${chars} characters; a text to learn from needs at least ${MIN_CHARS}`);
  return { name: basename(path), text };
}
