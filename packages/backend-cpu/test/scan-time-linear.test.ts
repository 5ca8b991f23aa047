import { describe, expect, it } from "vitest";
import { GraphBuilder, splitScan, type ScanInterface, type Tensor } from "@unroll/ir";
import { createRng, ScanExecutor, type ScanGraph } from "@unroll/bptt";
import { cpuDevice, cpuKernels } from "../src/index.js";

const L = 4;
const B = 3;

/**
 * A recurrence `h' = tanh(x W + h U)` with outputs summed over steps: a weight
 * gradient `dW = xᵀ h'` and what `extra` builds from it, outside the recurrence.
 */
function scan(extra: (b: GraphBuilder, dW: string) => Record<string, string>) {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", 3]);
  const h = b.carry("h", ["B", 2]);
  const next = b.tanh(b.add(b.matmul(x, b.param("W", [3, 2])), b.matmul(h, b.param("U", [2, 2]))));
  b.update("h", next);
  const dW = b.matmul(x, next, { transposeA: true });
  const summed = { dW, ...extra(b, dW) };
  b.output("y", next);
  const checked = b.build();
  const io: ScanInterface = { recurrentInputs: [h], recurrentOutputs: [next], outputs: [], summedOutputs: Object.values(summed) };
  const graph: ScanGraph = { label: "test", graph: checked, io, split: splitScan(checked, io) };
  return { graph, summed };
}

function random(shape: number[], r: () => number): Tensor {
  return { shape, data: Float64Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => 2 * r() - 1) };
}

describe("splitScan reads OpDef.timeLinear", () => {
  it("hoists sum, mean and broadcastTo of sums over steps, and gives the step-by-step sums", async () => {
    const { graph, summed } = scan((b, dW) => ({
      total: b.sum(dW),
      average: b.mean(dW, { axes: [1] }),
      spread: b.broadcastTo(b.sum(dW, { axes: [0], keepDims: true }), dW),
      both: b.add(b.sum(dW), b.neg(b.mean(dW))),
    }));
    const runner = new ScanExecutor(cpuDevice({ kernels: cpuKernels, fuse: true }), "float64");
    expect(graph.split.splittable, graph.split.reason).toBe(true);
    for (const id of Object.values(summed)) expect(graph.split.post.map((n) => n.id)).toContain(id);

    const r = createRng(7);
    const args = {
      steps: L,
      batch: B,
      reverse: false,
      constants: new Map([
        ["W", random([3, 2], r)],
        ["U", random([2, 2], r)],
      ]),
      sequences: new Map([["x", random([L, B, 3], r)]]),
      initial: new Map([["h", random([B, 2], r)]]),
      entering: new Map<string, Tensor>(),
      after: new Map<string, Tensor>(),
      outputs: [],
      summed: Object.values(summed),
    };
    const hoisted = await runner.run(graph, args);
    // with a site the executor goes step by step through the whole graph, adding the summed outputs as it goes
    const stepwise = await runner.run(graph, { ...args, site: { stage: 0, pass: "backward", step: (t) => t } });
    for (const id of Object.values(summed)) {
      const a = hoisted.summed.get(id)!;
      const w = stepwise.summed.get(id)!;
      expect(a.shape).toEqual(w.shape);
      a.data.forEach((v, i) => expect(v).toBeCloseTo(w.data[i], 12));
    }
  });

  it("does not hoist a product of sums over steps (mul is not time-linear)", () => {
    const { split } = scan((b, dW) => ({ square: b.mul(dW, dW) })).graph;
    expect(split.splittable).toBe(false);
    expect(split.reason).toMatch(/\(mul\) is not linear in time/);
  });
});
