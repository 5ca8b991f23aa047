import { describe, expect, it } from "vitest";
import { CharVocab } from "../src/index.js";

describe("CharVocab", () => {
  it("numbers the sorted distinct characters and round-trips text", () => {
    const v = CharVocab.ofText("hello, world");
    expect(v.chars.join("")).toBe(" ,dehlorw");
    expect(v.decode(v.encode("world hello"))).toBe("world hello");
    expect(Array.from(CharVocab.ofText("hello").encode("hole"))).toEqual([1, 3, 2, 0]);
    expect(() => v.id("z")).toThrow(/not in the vocabulary/);
    expect(() => v.encode("zz")).toThrow(/"z" is not in the vocabulary/);
    expect([v.has("w"), v.has("z")]).toEqual([true, false]);
  });

  it("takes a saved alphabet as it is, one character per entry, each once", () => {
    expect(new CharVocab(["b", "a", "😀"]).encode("a😀b")).toEqual(Int32Array.from([1, 2, 0]));
    expect(() => new CharVocab(["ab"])).toThrow(/must be one character/);
    expect(() => new CharVocab(["a", "a"])).toThrow(/appears twice/);
  });
});
