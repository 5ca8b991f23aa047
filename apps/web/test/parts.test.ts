import { readFileSync } from "node:fs";
import { createCpuBackend } from "@unroll/backend-cpu";
import { loadProgram } from "@unroll/ir";
import { describe, expect, it } from "vitest";
import type { FromTrainer } from "../src/protocol.js";
import { charModelSpec } from "@unroll/demo-kit";
import { stepGraphSvg } from "@unroll/viz";
import { isSoftwareAdapter } from "@unroll/backend-webgpu";
import { adapterText } from "../src/adapter-text.js";
import { defaultSettings } from "../src/settings.js";
import { StopFlag } from "../src/stop-flag.js";
import { trainUntilStopped } from "../src/train-loop.js";

// The page's parts that need no browser, in Node: the graph picture and the
// training loop the trainer worker runs (streams and sampling: @unroll/demo-kit),
// and the line that names a WebGPU adapter.
const corpus = readFileSync(new URL("../src/corpus.txt", import.meta.url), "utf8");

describe("step graph picture", () => {
  it("draws the LSTM with @unroll/viz: both carries, one dashed update edge per carry, the page's class, the description escaped", () => {
    const program = loadProgram(charModelSpec(5, { cell: "lstm", hidden: 3, layers: 1 }));
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
    // every step carries its window's gradient flow: the LSTM's two states over its 25 steps
    for (const p of progress) {
      expect(Object.keys(p.deltaNorms).sort()).toEqual(["layers.0.c", "layers.0.h"]);
      for (const norms of Object.values(p.deltaNorms)) expect(norms.length === 25 && norms.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
    }
  });
});

describe("WebGPU adapter line", () => {
  const adapter = { vendor: "", architecture: "", device: "", description: "", isFallbackAdapter: false };
  it("names the adapter as far as the browser tells, and a software one as such", () => {
    // what Chromium reports for SwiftShader (the e2e test's adapter)
    const swiftshader = { ...adapter, vendor: "google", architecture: "swiftshader", isFallbackAdapter: true };
    expect(adapterText(swiftshader)).toBe("WebGPU adapter: google, swiftshader; software adapter: times say nothing about GPUs.");
    const gpu = { ...adapter, vendor: "nvidia", architecture: "ampere", description: "NVIDIA GeForce RTX 3060" };
    expect(adapterText(gpu)).toBe("WebGPU adapter: nvidia, ampere, NVIDIA GeForce RTX 3060.");
    expect(adapterText(adapter)).toBe("WebGPU adapter: not described by the browser.");
    // a software rasterizer the browser does not flag as a fallback
    expect(isSoftwareAdapter({ ...adapter, vendor: "mesa", description: "llvmpipe (LLVM 15.0.6, 256 bits)" })).toBe(true);
    expect(isSoftwareAdapter(gpu)).toBe(false);
  });
});
