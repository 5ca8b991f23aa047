import { describe, expect, it } from "vitest";
import { loadProgram } from "@unroll/ir";
import { createOptimizer, initParams, Trainer } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { CharVocab, charModelSpec, streamTrainerOptions, TextStreams, trainStreams, type LoopStep } from "../src/index.js";

const TEXT = "the quick brown fox jumps over the lazy dog";

async function setup(): Promise<{ trainer: Trainer; source: TextStreams }> {
  const v = CharVocab.ofText(TEXT);
  const program = loadProgram(charModelSpec(v.size, { cell: "rnn", hidden: 4, layers: 1 }));
  const loaded = await createCpuBackend().load(program, { dtype: "float32" });
  const trainer = new Trainer(loaded, program, initParams(program, 1, "float32"), streamTrainerOptions(4, createOptimizer({ name: "sgd", lr: 0.1 })));
  return { trainer, source: new TextStreams(v.encode(TEXT), 2, v.size) }; // 21 steps: 5 windows a pass
}

describe("trainStreams", () => {
  it("takes exactly the steps budget across passes, pausing at multiples, from zeros at each new pass", async () => {
    const { trainer, source } = await setup();
    const steps: LoopStep[] = [];
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
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(steps.every((s) => s.loss === s.report.loss && s.report.window.end - s.report.window.start === 4)).toBe(true);
    expect(pauses).toEqual([5, 10]);
    expect(steps.map((s) => s.epoch)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2]);
    expect(end).toMatchObject({ step: 12, epoch: 2, position: 8 });
    expect(end.state?.["layers.0.h"]?.shape).toEqual([2, 4]);
  });

  it("counts on from a resumed position's step", async () => {
    const { trainer, source } = await setup();
    const steps: number[] = [];
    const end = await trainStreams(
      { step: 7, position: 8, epoch: 1 },
      { trainer, source, window: 4, budget: { kind: "steps", steps: 3 }, onStep: (s) => steps.push(s.step) },
    );
    expect(steps).toEqual([8, 9, 10]);
    expect(end).toMatchObject({ step: 10, epoch: 1, position: 20 });
  });

  it("without a budget runs until a stop is requested, checked between fit calls; time in onPause is not training time", async () => {
    const { trainer, source } = await setup();
    const steps: LoopStep[] = [];
    const end = await trainStreams(
      { step: 0, position: 0, epoch: 0 },
      {
        trainer,
        source,
        window: 4,
        windowsPerFit: 1,
        pauseEvery: 2,
        onStep: (s) => steps.push(s),
        onPause: () => new Promise((resolve) => setTimeout(resolve, 300)),
        stopRequested: () => steps.length >= 6,
      },
    );
    expect(end.step).toBe(6);
    expect(steps.at(-1)!.seconds).toBeLessThan(0.3); // two pauses of 0.3 s happened before step 6
  });

  it("refuses streams shorter than one window", async () => {
    const { trainer, source } = await setup();
    await expect(trainStreams({ step: 0, position: 0, epoch: 0 }, { trainer, source, window: 30 })).rejects.toThrow(/fewer than one window of 30/);
  });
});
