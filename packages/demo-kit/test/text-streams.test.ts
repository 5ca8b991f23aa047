import { describe, expect, it } from "vitest";
import { CharVocab, TextStreams } from "../src/index.js";

describe("TextStreams", () => {
  it("cuts the text into B contiguous streams, time-major, targets shifted by one", () => {
    const v = CharVocab.ofText("abcdefghij");
    const s = new TextStreams(v.encode("abcdefghij"), 3, v.size); // L = floor(9 / 3) = 3
    expect(s.length).toBe(3);
    const { x, y } = s.slice(1, 3).sequences;
    expect(x.shape).toEqual([2, 3, 10]);
    // step 1 of streams 0, 1, 2 reads b, e, h and predicts c, f, i
    const argmax = (t: number, b: number) => x.data.subarray((t * 3 + b) * 10, (t * 3 + b + 1) * 10).indexOf(1);
    expect([0, 1, 2].map((b) => v.chars[argmax(0, b)]).join("")).toBe("beh");
    expect(Array.from(y.data.subarray(0, 3), (i) => v.chars[i]).join("")).toBe("cfi");
  });

  it("one-hot inputs and next-character targets, float32 by default", () => {
    const vocab = CharVocab.ofText("abcdefg");
    const streams = new TextStreams(vocab.encode("abcdefg"), 2, vocab.size); // L = 3: "abc" and "def"
    expect(streams.length).toBe(3);
    const { sequences } = streams.slice(1, 3);
    expect(sequences.x.shape).toEqual([2, 2, 7]);
    expect(sequences.x.data).toBeInstanceOf(Float32Array);
    // step 1 of stream 0 reads "b" and predicts "c"; of stream 1 reads "e" and predicts "f"
    expect(
      Array.from(sequences.x.data.subarray(0, 14))
        .map((v, i) => (v ? i : -1))
        .filter((i) => i >= 0),
    ).toEqual([1, 7 + 4]);
    expect(Array.from(sequences.y.data)).toEqual([2, 5, 3, 6]);
    expect(new TextStreams(vocab.encode("abcdefg"), 2, vocab.size, "float64").slice(0, 1).sequences.y.data).toBeInstanceOf(Float64Array);
  });

  it("rejects a text too short for its streams and steps outside them", () => {
    const vocab = CharVocab.ofText("abc");
    expect(() => new TextStreams(vocab.encode("abc"), 3, vocab.size)).toThrow("a text of 3 characters is too short for 3 streams");
    expect(() => new TextStreams(vocab.encode("abc"), 0, vocab.size)).toThrow(/positive integer/);
    expect(() => new TextStreams(vocab.encode("abc"), 1, vocab.size).slice(1, 3)).toThrow("steps [1, 3) are outside the streams' 2 steps");
  });
});
