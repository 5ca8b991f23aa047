import { describe, expect, it } from "vitest";
import { GraphBuilder, checkProgram, programOfGraph, fromNested, type Tensor } from "@unroll/ir";
import { computeGradients } from "@unroll/bptt";
import { createCpuBackend } from "../src/index.js";

function rand(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
function randT(shape: number[], r: () => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float64Array.from({ length: n }, r) };
}

describe("smoke", () => {
  it("rnn forward+backward runs and matches finite differences", async () => {
    const b = new GraphBuilder();
    const x = b.input("x", ["B", 3]);
    const y = b.input("y", ["B", 2]);
    const h = b.carry("h", ["B", 4]);
    const u = b.add(b.add(b.matmul(x, b.param("W_in", [3, 4])), b.matmul(h, b.param("W_re", [4, 4]))), b.param("b", [4]));
    const hn = b.tanh(u);
    b.update(h, hn);
    const out = b.add(b.matmul(hn, b.param("W_out", [4, 2])), b.param("b_out", [2]));
    b.output("output", out);
    b.loss(b.mse(out, y));
    const program = checkProgram(programOfGraph(b.toGraph()));
    const r = rand(1);
    const params: Record<string, Tensor> = {};
    for (const [k, s] of Object.entries(program.params)) params[k] = randT([...s], r);
    const data = { sequences: { x: randT([5, 2, 3], r), y: randT([5, 2, 2], r) } };
    const loaded = await createCpuBackend().load(program, { dtype: "float64" });
    const res = await computeGradients(loaded, program, params, data, { kind: "full" });
    const eps = 1e-6;
    for (const [name, p] of Object.entries(params)) {
      for (let i = 0; i < p.data.length; i++) {
        const o = p.data[i];
        p.data[i] = o + eps;
        const lp = (await computeGradients(loaded, program, params, data, { kind: "full" })).loss;
        p.data[i] = o - eps;
        const lm = (await computeGradients(loaded, program, params, data, { kind: "full" })).loss;
        p.data[i] = o;
        expect(res.grads[name].data[i]).toBeCloseTo((lp - lm) / (2 * eps), 7);
      }
    }
    expect(fromNested([[1]], "float64").shape).toEqual([1, 1]);
  });
});
