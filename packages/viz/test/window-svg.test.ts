import { InputError, planWindows, WindowCompiler, type Truncation } from "@unroll/bptt";
import { loadProgram } from "@unroll/ir";
import { describe, expect, it } from "vitest";
import { windowDiagram, windowSvg } from "@unroll/viz";
import { byClass, parseSvg } from "./parse-svg.js";

const lstm = loadProgram({ input: 3, layers: [{ cell: "lstm", hidden: 4 }], head: { units: 2, activation: "softmax" }, loss: "cross_entropy" });
const bidirectional = loadProgram({
  input: 2,
  layers: [
    { cell: "gru", hidden: 3, bidirectional: true },
    { cell: "rnn", hidden: 3 },
  ],
  head: { units: 1, activation: "linear" },
  loss: "mse",
});

const attr = (el: { getAttribute(n: string): string | null }, name: string): number => Number(el.getAttribute(name));

/** Draws T steps of a program and parses the drawing. */
function draw(program = lstm, steps: number, truncation: Truncation = { kind: "full" }, checkpointEvery = 1) {
  const diagram = windowDiagram(program, { steps, truncation, checkpointEvery });
  return { diagram, doc: parseSvg(windowSvg(diagram)) };
}

describe("windowSvg", () => {
  it("truncated and checkpointed: a column per step, a band per window, a cut between windows, recompute passes from the scheduler", () => {
    const T = 12;
    const { diagram, doc } = draw(lstm, T, { kind: "chunked", window: 4 }, 2);
    const plan = planWindows(T, { kind: "chunked", window: 4 });
    expect(byClass(doc, "step-column")).toHaveLength(T);
    expect(byClass(doc, "window-band")).toHaveLength(plan.windows.length);
    const cuts = byClass(doc, "cut");
    expect(cuts).toHaveLength(plan.windows.length - 1);
    expect(cuts.map((c) => attr(c, "data-step"))).toEqual([4, 8]);
    // the forward scan: every step once, the carries passed on from each step to the next, into the next window at the cuts
    expect(byClass(doc, "cell-forward").map((c) => attr(c, "data-step"))).toEqual(Array.from({ length: T }, (_, t) => t));
    expect(byClass(doc, "edge-carry")).toHaveLength(T - 1);
    expect(byClass(doc, "between-windows").map((e) => attr(e, "data-to"))).toEqual([4, 8]);
    // the recompute passes are the window program's, as compiled by the scheduler
    const program = new WindowCompiler(lstm).compile({
      steps: 4,
      batch: 1,
      dtype: "float32",
      gradients: true,
      masked: false,
      checkpointEvery: 2,
      givenStates: ["layers.0.h", "layers.0.c"],
    });
    const recomputes = program.instructions.flatMap((i) => (i.op === "scan" && i.pass === "recompute" ? [[i.from, i.to]] : []));
    expect(recomputes).toEqual([
      [2, 4],
      [0, 2],
    ]);
    for (const band of byClass(doc, "window-band")) {
      const start = attr(band, "data-start");
      const inBand = (cls: string) => byClass(doc, cls).filter((el) => isInside(el, band));
      expect(inBand("pass-recompute").map((p) => [attr(p, "data-from") - start, attr(p, "data-to") - start])).toEqual(recomputes);
      expect(inBand("checkpoint").map((c) => attr(c, "data-step"))).toEqual([start + 2]);
      // backward: each step of the window once, last to first, the gradient passed back step by step
      expect(inBand("cell-backward").map((c) => attr(c, "data-step"))).toEqual([3, 2, 1, 0].map((t) => start + t));
      expect(inBand("edge-grad").map((e) => [attr(e, "data-from"), attr(e, "data-to")])).toEqual([1, 2, 3].map((k) => [start + 4 - k, start + 3 - k]));
      expect(inBand("loss-step")).toHaveLength(4);
    }
    expect(diagram.windows.map((w) => w.passes.map((p) => `${p.pass}@${p.from - w.window.start}`))).toEqual(
      plan.windows.map(() => ["forward@0", "forward@2", "recompute@2", "backward@2", "recompute@0", "backward@0"]),
    );
  });

  it("without checkpointing there are no recompute passes and no checkpoints", () => {
    const { doc } = draw(lstm, 12, { kind: "chunked", window: 4 });
    expect(byClass(doc, "pass-recompute")).toHaveLength(0);
    expect(byClass(doc, "checkpoint")).toHaveLength(0);
    expect(byClass(doc, "pass-backward")).toHaveLength(3);
  });

  it("BPTT(k1, k2): overlapping windows, a cut only where a window starts after step 0, the loss only on its last k1 steps", () => {
    const T = 10;
    const truncation: Truncation = { kind: "k1k2", k1: 2, k2: 4 };
    const { doc } = draw(lstm, T, truncation);
    const plan = planWindows(T, truncation);
    expect(byClass(doc, "window-band")).toHaveLength(5);
    expect(byClass(doc, "cut").map((c) => attr(c, "data-step"))).toEqual(plan.windows.filter((w) => w.start > 0).map((w) => w.start));
    byClass(doc, "window-band").forEach((band, k) => {
      const w = plan.windows[k];
      const cells = byClass(doc, "cell-backward").filter((el) => isInside(el, band));
      expect(cells).toHaveLength(w.end - w.start);
      expect(cells.filter((c) => c.getAttribute("class")!.includes("loss-step")).map((c) => attr(c, "data-step"))).toEqual(
        Array.from({ length: w.end - w.lossStart }, (_, i) => w.end - 1 - i),
      );
    });
  });

  it("full BPTT of a bidirectional model: the reverse stage runs backward in time and its gradient flows forward", () => {
    const { diagram, doc } = draw(bidirectional, 6, { kind: "full" }, 3);
    expect(diagram.stages.map((s) => s.reverse)).toEqual([false, true, false]);
    expect(byClass(doc, "window-band")).toHaveLength(1);
    expect(byClass(doc, "cut")).toHaveLength(0);
    const carryEdges = (stage: number, cls: string) => byClass(doc, cls).filter((e) => attr(e, "data-stage") === stage);
    for (const e of carryEdges(1, "edge-carry")) expect(attr(e, "data-to")).toBe(attr(e, "data-from") - 1);
    for (const e of carryEdges(1, "edge-grad")) expect(attr(e, "data-to")).toBe(attr(e, "data-from") + 1);
    for (const e of carryEdges(0, "edge-grad")) expect(attr(e, "data-to")).toBe(attr(e, "data-from") - 1);
    expect(byClass(doc, "cell-forward")).toHaveLength(3 * 6);
    // two segments per stage: each stage recomputes both
    expect(byClass(doc, "pass-recompute")).toHaveLength(3 * 2);
  });

  it("a model without a loss is drawn forward only", () => {
    const program = loadProgram({ input: 1, layers: [{ cell: "rnn", hidden: 2 }] });
    const { diagram, doc } = draw(program, 5);
    expect(diagram.gradients).toBe(false);
    expect(byClass(doc, "window-band")).toHaveLength(0);
    expect(byClass(doc, "cell-forward")).toHaveLength(5);
    expect(() => windowDiagram(program, { steps: 5, truncation: { kind: "chunked", window: 2 } })).toThrow(/no loss/);
  });

  it("refuses what the scheduler refuses", () => {
    expect(() => windowDiagram(bidirectional, { steps: 6, truncation: { kind: "chunked", window: 2 } })).toThrow(InputError);
    expect(() => windowDiagram(lstm, { steps: 0 })).toThrow(InputError);
    expect(() => windowDiagram(lstm, { steps: 4, checkpointEvery: 0 })).toThrow(/checkpointEvery must be a positive integer/);
    expect(() => windowDiagram(lstm, { steps: 4, truncation: { kind: "k1k2", k1: 3, k2: 2 } })).toThrow(/k2 must be at least k1/);
  });
});

/** True when `el` is `ancestor` or inside it. */
function isInside(el: { parentNode: unknown }, ancestor: unknown): boolean {
  for (let n: { parentNode: unknown } | null = el; n; n = n.parentNode as { parentNode: unknown } | null) if (n === ancestor) return true;
  return false;
}
