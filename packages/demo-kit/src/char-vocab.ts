/**
 * The alphabet of a character-level model: the distinct characters of a text,
 * sorted, each with its class id (its index).
 *
 * ```ts
 * const vocab = CharVocab.ofText("hello");   // chars e h l o
 * vocab.encode("hole");                       // [1, 3, 2, 0]
 * ```
 */
export class CharVocab {
  private readonly ids = new Map<string, number>();

  /** Builds a vocabulary from its characters (code points), in the order given, e.g. a checkpoint's. */
  constructor(
    /** Character of each class id. */
    readonly chars: readonly string[],
  ) {
    chars.forEach((c, i) => {
      if (Array.from(c).length !== 1) throw new Error(`a vocabulary entry must be one character, got ${JSON.stringify(c)}`);
      if (this.ids.has(c)) throw new Error(`the character ${JSON.stringify(c)} appears twice in the vocabulary`);
      this.ids.set(c, i);
    });
  }

  /** The sorted distinct characters (code points) of a text. */
  static ofText(text: string): CharVocab {
    return new CharVocab([...new Set(Array.from(text))].sort());
  }

  /** Number of classes V. */
  get size(): number {
    return this.chars.length;
  }

  /** True when the character has a class id. */
  has(char: string): boolean {
    return this.ids.has(char);
  }

  /** The class id of one character; a character outside the vocabulary is an error. */
  id(char: string): number {
    const i = this.ids.get(char);
    if (i === undefined) throw new Error(`the character ${JSON.stringify(char)} is not in the vocabulary`);
    return i;
  }

  /** The class ids of a text, one per code point. */
  encode(text: string): Int32Array {
    return Int32Array.from(Array.from(text), (c) => this.id(c));
  }

  /** The text of a sequence of class ids. */
  decode(ids: Iterable<number>): string {
    let s = "";
    for (const i of ids) s += this.chars[i];
    return s;
  }
}
