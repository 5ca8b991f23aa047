import { describe, expect, it } from "vitest";
import { createRng } from "@unroll/bptt";
import { BLANK, copyBatch, recallScore } from "../src/copy-data.js";
import { learnedFrom } from "../src/method-run.js";

describe("copyBatch", () => {
  const lag = 5;
  const { data, cue } = copyBatch(createRng(1), 64, lag, 3);
  const { x, y } = data.sequences;
  const C = 4; // blank and 3 symbols
  const onehot = (t: number, b: number) => x.data.subarray((t * 64 + b) * C, (t * 64 + b + 1) * C);

  it("has lag + 1 steps, one-hot inputs over blank and the symbols, class-id targets", () => {
    expect(x.shape).toEqual([lag + 1, 64, C]);
    expect(y.shape).toEqual([lag + 1, 64]);
    for (let t = 0; t <= lag; t++) for (let b = 0; b < 64; b++) expect(Array.from(onehot(t, b)).reduce((a, v) => a + v, 0)).toBe(1);
  });

  it("shows the symbol at step 0 and blanks after it", () => {
    for (let b = 0; b < 64; b++) {
      expect(cue[b]).toBeGreaterThanOrEqual(1);
      expect(cue[b]).toBeLessThanOrEqual(3);
      expect(onehot(0, b)[cue[b]]).toBe(1);
      for (let t = 1; t <= lag; t++) expect(onehot(t, b)[BLANK]).toBe(1);
    }
    // every symbol is drawn
    expect(new Set(cue).size).toBe(3);
  });

  it("targets blank at every step but the recall step, which names the symbol", () => {
    for (let b = 0; b < 64; b++) {
      for (let t = 0; t < lag; t++) expect(y.data[t * 64 + b]).toBe(BLANK);
      expect(y.data[lag * 64 + b]).toBe(cue[b]);
    }
  });

  it("is the same for the same seed, and fresh as the generator goes on", () => {
    const rng = createRng(1);
    const first = copyBatch(rng, 64, lag, 3);
    const second = copyBatch(rng, 64, lag, 3);
    expect(first.cue).toEqual(cue);
    expect(first.data.sequences.x.data).toEqual(x.data);
    expect(second.cue).not.toEqual(cue);
  });

  it("refuses fewer than two symbols or a lag under one", () => {
    expect(() => copyBatch(createRng(1), 4, 5, 1)).toThrow(/at least 2 symbols/);
    expect(() => copyBatch(createRng(1), 4, 0, 2)).toThrow(/lag must be a positive integer/);
  });
});

describe("recallScore", () => {
  // outputs [T = 2, B = 2, C = 3]: only the last step counts
  const outputs = (last: number[]) => ({ shape: [2, 2, 3], data: Float32Array.from([0.1, 0.8, 0.1, 0.1, 0.1, 0.8, ...last]) });

  it("counts the rows whose likeliest symbol is their cue, the blank left out", () => {
    // row 0 (cue 1) prefers blank, then symbol 1; row 1 (cue 2) prefers symbol 1
    const s = recallScore(outputs([0.6, 0.3, 0.1, 0.2, 0.5, 0.3]), Int32Array.from([1, 2]));
    expect(s.accuracy).toBe(0.5);
    expect(s.loss).toBeCloseTo((-Math.log(0.3 / 0.4) - Math.log(0.3 / 0.8)) / 2, 6);
  });

  it("scores a model that does not know the cue at chance: ln 2 for two symbols", () => {
    expect(recallScore(outputs([0.9, 0.05, 0.05, 0.9, 0.05, 0.05]), Int32Array.from([1, 2])).loss).toBeCloseTo(Math.log(2), 6);
  });
});

describe("learnedFrom", () => {
  it("is the start of the final run of scores at 90% or more, not a lucky score before it", () => {
    const curve = (accs: number[]) => accs.map((accuracy, i) => ({ batch: 10 * i, accuracy, loss: 0 }));
    expect(learnedFrom(curve([0.5, 1, 0.5, 0.95, 1]))).toBe(30);
    expect(learnedFrom(curve([0.5, 1, 0.5]))).toBeUndefined();
  });
});
