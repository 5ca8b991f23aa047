import { readFileSync } from "node:fs";
import { createCpuBackend } from "@unroll/backend-cpu";
import { loadProgram } from "@unroll/ir";
import { describe, expect, it } from "vitest";
import { CharVocab } from "../src/char-vocab.js";
import type { FromTrainer } from "../src/protocol.js";
import { sampleCategorical as sampleIndex } from "@unroll/bptt";
import { stepGraphSvg } from "@unroll/viz";
import { charModelSpec, defaultSettings } from "../src/settings.js";
import { StopFlag } from "../src/stop-flag.js";
import { TextStreams } from "../src/text-streams.js";
import { trainUntilStopped } from "../src/train-loop.js";

// The page's parts that need no browser, in Node: streams, sampling, the
// graph picture and the training loop the trainer worker runs.
const corpus = readFileSync(new URL("../src/corpus.txt", import.meta.url), "utf8");

describe("text streams", () => {
  it("cut the text into B streams, one-hot inputs and next-character targets", () => {
    const vocab = CharVocab.ofText("abcdefg");
    const streams = new TextStreams(vocab.encode("abcdefg"), 2, vocab.size); // L = 3: "abc" and "def"
    expect(streams.length).toBe(3);
    const { sequences } = streams.slice(1, 3);
    expect(sequences.x.shape).toEqual([2, 2, 7]);
    // step 1 of stream 0 reads "b" and predicts "c"; of stream 1 reads "e" and predicts "f"
    expect(
      Array.from(sequences.x.data.subarray(0, 14))
        .map((v, i) => (v ? i : -1))
        .filter((i) => i >= 0),
    ).toEqual([1, 7 + 4]);
    expect(Array.from(sequences.y.data)).toEqual([2, 5, 3, 6]);
  });
});

describe("sampling", () => {
  it("draws by cumulative probability, sharper at low temperature", () => {
    const probs = [0.1, 0.6, 0.3];
    expect(sampleIndex(probs, 1, () => 0.05)).toBe(0);
    expect(sampleIndex(probs, 1, () => 0.5)).toBe(1);
    expect(sampleIndex(probs, 1, () => 0.95)).toBe(2);
    expect(sampleIndex(probs, 0.05, () => 0.95)).toBe(1); // p^(1/τ): nearly all mass on the largest
  });
});

describe("step graph picture", () => {
  it("draws the LSTM with @unroll/viz: both carries, one dashed update edge per carry, the page's class, the description escaped", () => {
    const program = loadProgram(charModelSpec(5, { cell: "lstm", hidden: 3 }));
    const svg = stepGraphSvg(program, { title: "t", description: "d <&>", className: "graph-svg", idPrefix: "graph-svg" });
    expect(svg).toMatch(/^<svg [^>]*class="unroll-viz step-graph graph-svg"/);
    expect(svg.match(/class="edge edge-update"/g)).toHaveLength(2);
    expect(svg.match(/class="box box-carry/g)).toHaveLength(2);
    expect(svg).toContain("d &#60;&#38;&#62;");
  });
});

describe("training loop", () => {
  it("trains on the corpus until stopped: ready, progress every step, a sample every N steps, the loss falls", async () => {
    const stop = new StopFlag();
    const messages: FromTrainer[] = [];
    const settings = { ...defaultSettings, hidden: 32, sampleEvery: 10, sampleLength: 40 };
    const steps = await trainUntilStopped(corpus, settings, createCpuBackend(), createCpuBackend(), {
      post: (m) => {
        messages.push(m);
        if (m.type === "progress" && m.step === 30) stop.raise();
      },
      stopRequested: () => stop.raised,
      temperature: () => 0.8,
      pause: () => Promise.resolve(),
    });
    expect(steps).toBe(30);
    expect(messages[0]).toMatchObject({ type: "ready", vocabSize: 57, streamLength: Math.floor((corpus.length - 1) / 16) });
    const progress = messages.flatMap((m) => (m.type === "progress" ? [m] : []));
    expect(progress.map((p) => p.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const samples = messages.flatMap((m) => (m.type === "sample" ? [m] : []));
    expect(samples.map((s) => s.step)).toEqual([10, 20]); // at 30 the stop was already asked
    for (const s of samples) expect(Array.from(s.text)).toHaveLength(40);
    expect(progress[0].loss).toBeCloseTo(Math.log(57), 1);
    expect(progress.at(-1)!.loss).toBeLessThan(progress[0].loss - 0.5);
    expect(progress.at(-1)!.tokensPerSecond).toBeCloseTo(progress.at(-1)!.stepsPerSecond * 16 * 25, 6);
  });
});
