import { describe, expect, it } from "vitest";
import { createRng } from "./init.js";
import { sampleCategorical } from "./sample.js";

describe("sampleCategorical", () => {
  const frequencies = (probs: number[], temperature: number, draws = 20000): number[] => {
    const rng = createRng(7);
    const counts = probs.map(() => 0);
    for (let i = 0; i < draws; i++) counts[sampleCategorical(probs, temperature, rng)]++;
    return counts.map((c) => c / draws);
  };

  it("draws with the given probabilities at temperature 1", () => {
    frequencies([0.2, 0.5, 0.3], 1).forEach((f, i) => expect(f).toBeCloseTo([0.2, 0.5, 0.3][i], 1));
  });

  it("sharpens as p^(1/τ) normalized", () => {
    // τ = 0.5 squares: 0.04, 0.25, 0.09 → 0.105, 0.658, 0.237
    frequencies([0.2, 0.5, 0.3], 0.5).forEach((f, i) => expect(f).toBeCloseTo([0.04, 0.25, 0.09][i] / 0.38, 1));
  });

  it("is deterministic for a seed and rejects a non-positive temperature", () => {
    const a = createRng(3);
    const b = createRng(3);
    for (let i = 0; i < 50; i++) expect(sampleCategorical([0.1, 0.9], 1.3, a)).toBe(sampleCategorical([0.1, 0.9], 1.3, b));
    expect(() => sampleCategorical([1], 0, a)).toThrow(/temperature must be positive/);
  });

  // moved here from the two demos, which each kept a copy of these checks
  it("draws by cumulative probability, sharper at low temperature", () => {
    const probs = [0.1, 0.6, 0.3];
    expect(sampleCategorical(probs, 1, () => 0.05)).toBe(0);
    expect(sampleCategorical(probs, 1, () => 0.5)).toBe(1);
    expect(sampleCategorical(probs, 1, () => 0.95)).toBe(2);
    expect(sampleCategorical(probs, 0.05, () => 0.95)).toBe(1); // p^(1/τ): nearly all mass on the largest
  });

  it("draws by probability; a low temperature picks the mode", () => {
    const rng = createRng(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[sampleCategorical([0.2, 0.5, 0.3], 1, rng)]++;
    expect(counts[1] / 3000).toBeCloseTo(0.5, 1);
    for (let i = 0; i < 50; i++) expect(sampleCategorical([0.2, 0.5, 0.3], 0.01, rng)).toBe(1);
  });
});
