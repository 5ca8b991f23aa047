import { DataError } from "./data-error.js";

/** The characters a character-level model knows; a character's id is its index in `chars`. */
export interface CharVocabulary {
  /** The characters, sorted by code point, each once. */
  readonly chars: readonly string[];
}

/** The format tag of a vocabulary file. */
export const VOCABULARY_FORMAT = "unroll.vocab/1";

/** The vocabulary of a text: its unique characters (code points, so an emoji is one) sorted by code point. */
export function buildVocabulary(text: string): CharVocabulary {
  const chars = [...new Set(text)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  if (chars.length === 0) throw new DataError("the text is empty: there are no characters to build a vocabulary of");
  return { chars };
}

/** A vocabulary file's document. */
export interface VocabularyJson {
  /** Always {@link VOCABULARY_FORMAT}. */
  readonly format: typeof VOCABULARY_FORMAT;
  /** The characters; a character's id is its index. */
  readonly chars: string[];
}

/** A vocabulary as a JSON document `{ "format": "unroll.vocab/1", "chars": [...] }`, to save and reuse with {@link vocabularyFromJson}. */
export function vocabularyToJson(vocab: CharVocabulary): VocabularyJson {
  return { format: VOCABULARY_FORMAT, chars: [...vocab.chars] };
}

/** Reads a vocabulary document written by {@link vocabularyToJson}; each entry must be one character, each once. */
export function vocabularyFromJson(json: unknown): CharVocabulary {
  const doc = json as { format?: unknown; chars?: unknown };
  if (typeof json !== "object" || json === null || doc.format !== VOCABULARY_FORMAT || !Array.isArray(doc.chars)) {
    throw new DataError(`a vocabulary must be { "format": "${VOCABULARY_FORMAT}", "chars": [one string per character] }`);
  }
  const seen = new Set<string>();
  doc.chars.forEach((c: unknown, i) => {
    if (typeof c !== "string" || [...c].length !== 1) throw new DataError(`chars[${i}] is ${JSON.stringify(c)}; each entry must be a single character`);
    if (seen.has(c)) throw new DataError(`chars[${i}] ${JSON.stringify(c)} appears twice; each character has one id`);
    seen.add(c);
  });
  if (seen.size === 0) throw new DataError("the vocabulary has no characters");
  return { chars: doc.chars as string[] };
}
