import { describe, expect, it } from "vitest";
import { toNested } from "@unroll/ir";
import { buildVocabulary, DataError, encodeText, textSequences, vocabularyFromJson, vocabularyToJson } from "@unroll/data";

describe("the character vocabulary", () => {
  it("is the text's unique characters sorted by code point, an emoji being one character", () => {
    expect(buildVocabulary("hello\nworld 🙂").chars).toEqual(["\n", " ", "d", "e", "h", "l", "o", "r", "w", "🙂"]);
  });

  it("round-trips through its JSON document and refuses a malformed one", () => {
    const vocab = buildVocabulary("abca");
    expect(vocabularyFromJson(JSON.parse(JSON.stringify(vocabularyToJson(vocab))))).toEqual(vocab);
    expect(() => vocabularyFromJson({ chars: ["a"] })).toThrow(/"format": "unroll.vocab\/1"/);
    expect(() => vocabularyFromJson({ format: "unroll.vocab/1", chars: ["a", "bc"] })).toThrow('chars[1] is "bc"; each entry must be a single character');
    expect(() => vocabularyFromJson({ format: "unroll.vocab/1", chars: ["a", "a"] })).toThrow("appears twice");
  });

  it("names the line and position of a character it lacks", () => {
    try {
      encodeText("ab\nbaz", buildVocabulary("ab\n"));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DataError);
      expect((e as DataError).location).toEqual({ line: 2, column: 3 });
      expect((e as Error).message).toMatch(/^line 2, column 3: the character "z" is not in the vocabulary/);
    }
  });
});

describe("textSequences", () => {
  // ids: a=0 b=1 c=2; the text "abcabca" (7 chars) cut into floor(6 / 3) = 2 rows of 3 steps
  const vocab = buildVocabulary("abc");

  it("gives token ids and next-character class ids, time-major", () => {
    const { sequences } = textSequences("abcabca", vocab, { seqLen: 3, input: "ids", target: "ids" });
    expect(toNested(sequences.x)).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(toNested(sequences.y)).toEqual([
      [1, 1],
      [2, 2],
      [0, 0],
    ]);
  });

  it("gives one-hot inputs of the vocabulary's width", () => {
    const { sequences } = textSequences("abcb", vocab, { seqLen: 3, input: "one-hot", target: "one-hot" });
    expect(toNested(sequences.x)).toEqual([[[1, 0, 0]], [[0, 1, 0]], [[0, 0, 1]]]);
    expect(toNested(sequences.y)).toEqual([[[0, 1, 0]], [[0, 0, 1]], [[0, 1, 0]]]);
  });

  it("refuses a text shorter than one sequence plus its target, and a bad length", () => {
    expect(() => textSequences("abc", vocab, { seqLen: 3, input: "ids", target: "ids" })).toThrow(
      "the text has 3 characters; a sequence length of 3 needs at least 4",
    );
    expect(() => textSequences("abc", vocab, { seqLen: 0, input: "ids", target: "ids" })).toThrow("the sequence length must be an integer ≥ 1, got 0");
  });
});
