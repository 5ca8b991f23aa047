import { describe, expect, it } from "vitest";
import { loadProgram } from "@unroll/ir";
import { createRng, initParams } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { CharVocab, charModelSpec, sampleText, type CharModel } from "../src/index.js";

async function untrainedModel(): Promise<CharModel> {
  const vocab = CharVocab.ofText("abc\n");
  const program = loadProgram(charModelSpec(vocab.size, { cell: "gru", hidden: 4, layers: 2 }));
  const loaded = await createCpuBackend().load(program, { dtype: "float32" });
  return { loaded, program, params: initParams(program, 1, "float32"), vocab };
}

describe("sampleText", () => {
  it("draws characters of the vocabulary, the same for the same seed", async () => {
    const model = await untrainedModel();
    const a = await sampleText(model, { length: 30, temperature: 1, rng: createRng(3) });
    expect(Array.from(a)).toHaveLength(30);
    expect(a).toMatch(/^[abc\n]+$/);
    expect(await sampleText(model, { length: 30, temperature: 1, rng: createRng(3) })).toBe(a);
  });

  it("feeds the prime first, skipping characters outside the vocabulary", async () => {
    const model = await untrainedModel();
    const draw = (prime: string) => sampleText(model, { length: 20, temperature: 1, prime, rng: createRng(5) });
    expect(await draw("ab?c")).toBe(await draw("abc"));
    expect(await draw("zz")).toBe(await draw("")); // nothing of it known: starts from class 0, as an empty prime
  });

  it("ends early, with what it has, once cancelled", async () => {
    const model = await untrainedModel();
    let left = 5;
    const text = await sampleText(model, { length: 50, temperature: 0.8, rng: createRng(1), cancelled: () => left-- <= 0 });
    expect(Array.from(text)).toHaveLength(5);
  });
});
