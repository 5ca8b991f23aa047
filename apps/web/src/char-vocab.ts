/**
 * The alphabet of a character-level model: the distinct characters of a text,
 * sorted, each with its class id (its index).
 *
 * ```ts
 * const vocab = CharVocab.ofText("hello"); // chars e h l o
 * vocab.encode("hole");                     // [1, 3, 2, 0]
 * ```
 */
export class CharVocab {
  private readonly ids: ReadonlyMap<string, number>;

  private constructor(
    /** Character of each class id. */
    readonly chars: readonly string[],
  ) {
    this.ids = new Map(chars.map((c, i) => [c, i]));
  }

  /** The sorted distinct characters (code points) of a text. */
  static ofText(text: string): CharVocab {
    return new CharVocab([...new Set(Array.from(text))].sort());
  }

  /** Number of classes V. */
  get size(): number {
    return this.chars.length;
  }

  /** The class ids of a text, one per code point; characters outside the vocabulary are an error. */
  encode(text: string): Int32Array {
    return Int32Array.from(Array.from(text), (c) => {
      const id = this.ids.get(c);
      if (id === undefined) throw new Error(`the character ${JSON.stringify(c)} is not in the vocabulary`);
      return id;
    });
  }

  /** The class id of one character, or undefined outside the vocabulary. */
  idOf(char: string): number | undefined {
    return this.ids.get(char);
  }
}
