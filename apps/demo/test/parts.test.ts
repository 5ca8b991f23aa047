import { describe, expect, it } from "vitest";
import { loadProgram } from "@unroll/ir";
import { createRng, initParams, sampleCategorical as sampleIndex, sgd, Trainer } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { CharVocab } from "../src/char-vocab.js";
import { charModelSpec } from "../src/char-model.js";
import { TextStreams } from "../src/streams.js";
import { lineChart, niceTicks } from "../src/svg-chart.js";
import { trainStreams } from "../src/train-loop.js";

describe("CharVocab", () => {
  it("numbers the sorted distinct characters and round-trips text", () => {
    const v = CharVocab.ofText("hello, world");
    expect(v.chars.join("")).toBe(" ,dehlorw");
    expect(v.decode(v.encode("world hello"))).toBe("world hello");
    expect(() => v.id("z")).toThrow(/not in the vocabulary/);
  });
});

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
});

describe("sampleIndex", () => {
  it("draws by probability; a low temperature picks the mode", () => {
    const rng = createRng(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[sampleIndex([0.2, 0.5, 0.3], 1, rng)]++;
    expect(counts[1] / 3000).toBeCloseTo(0.5, 1);
    for (let i = 0; i < 50; i++) expect(sampleIndex([0.2, 0.5, 0.3], 0.01, rng)).toBe(1);
  });
});

describe("lineChart", () => {
  it("draws every series as a polyline with round ticks", () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const svg = lineChart(
      [
        {
          name: "a<b",
          points: [
            [0, 1],
            [1, 2],
          ],
          color: "red",
        },
      ],
      { xLabel: "x", yLabel: "y" },
    );
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain("<polyline");
    expect(svg).toContain("a&#60;b");
  });
});

describe("trainStreams", () => {
  it("takes exactly the steps budget across passes, pausing at multiples, from zeros at each new pass", async () => {
    const v = CharVocab.ofText("the quick brown fox jumps over the lazy dog");
    const program = loadProgram(charModelSpec(v.size, { cell: "rnn", hidden: 4, layers: 1 }));
    const loaded = await createCpuBackend().load(program, { dtype: "float32" });
    const trainer = new Trainer(loaded, program, initParams(program, 1, "float32"), {
      optimizer: sgd({ lr: 0.1 }),
      truncation: { kind: "chunked", window: 4 },
      stateful: true,
    });
    const source = new TextStreams(v.encode("the quick brown fox jumps over the lazy dog"), 2, v.size); // 21 steps: 5 windows a pass
    const steps: number[] = [];
    const pauses: number[] = [];
    const end = await trainStreams(
      { step: 0, position: 0, epoch: 0 },
      {
        trainer,
        source,
        window: 4,
        budget: { kind: "steps", steps: 12 },
        pauseEvery: 5,
        onStep: (s) => steps.push(s),
        onPause: (at) => void pauses.push(at.step),
      },
    );
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(pauses).toEqual([5, 10]);
    expect(end).toMatchObject({ step: 12, epoch: 2, position: 8 });
    expect(end.state?.["layers.0.h"]?.shape).toEqual([2, 4]);
  });
});
