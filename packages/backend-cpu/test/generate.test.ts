import { describe, expect, it } from "vitest";
import { generate, generationMode, runForward } from "@unroll/bptt";
import { GraphBuilder, checkProgram, programOfGraph, type Tensor } from "@unroll/ir";
import { expectClose, loadFloat64, randomParams, tensor, uniform } from "./support/bptt-fixtures.js";

const V = 3;
const B = 2;
const P = 4;
const N = 12;

/** `[a; b]` along time. */
function concatSteps(a: Tensor, b: Tensor): Tensor {
  const data = new Float64Array(a.data.length + b.data.length);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return { shape: [a.shape[0] + b.shape[0], ...a.shape.slice(1)], data };
}

/** Rows `[t, b, :]` of a time-major tensor as plain arrays. */
const at = (t: Tensor, step: number, row: number): number[] => {
  const w = t.shape.slice(2).reduce((a, d) => a * d, 1);
  return Array.from(t.data.subarray((step * B + row) * w, (step * B + row + 1) * w));
};

describe("generate: a model run on its own predictions", () => {
  const spec = { input: V, layers: [{ cell: "gru" as const, hidden: 4 }], head: { units: V, activation: "softmax" as const }, loss: "cross_entropy" as const };

  it("classes at temperature 0: each step feeds back the one-hot argmax of the previous output, and one forward pass over prime + generated gives the same outputs", async () => {
    const { program, loaded } = await loadFloat64(spec);
    expect(generationMode(program)).toBe("classes");
    const params = randomParams(program, 3, 1.5);
    const prime = tensor([P, B, V], uniform(4));
    const g = await generate(loaded, program, params, { prime, steps: N, temperature: 0 });
    expect(g.inputs.shape).toEqual([N, B, V]);
    expect(g.outputs.shape).toEqual([N, B, V]);
    const whole = await runForward(
      loaded,
      params,
      { sequences: { x: concatSteps(prime, g.inputs), y: { shape: [P + N, B], data: new Float64Array((P + N) * B) } } },
      program,
    );
    for (let k = 0; k < N; k++) {
      for (let b = 0; b < B; b++) {
        const before = at(whole.outputs, P + k - 1, b);
        const cls = before.indexOf(Math.max(...before));
        expect(g.samples!.data[k * B + b]).toBe(cls);
        expect(at(g.inputs, k, b)).toEqual(Array.from({ length: V }, (_, j) => (j === cls ? 1 : 0)));
        expect(at(g.outputs, k, b).map((v, j) => Math.abs(v - at(whole.outputs, P + k, b)[j]))).toSatisfy((d: number[]) => Math.max(...d) < 1e-12);
      }
    }
  });

  it("classes at temperature 1: a seed fixes the draw, another seed draws otherwise, and the continuation is the forward pass of what was drawn", async () => {
    const { program, loaded } = await loadFloat64(spec);
    const params = randomParams(program, 5, 0.3);
    const prime = tensor([P, B, V], uniform(6));
    const a = await generate(loaded, program, params, { prime, steps: 30, seed: 1 });
    const again = await generate(loaded, program, params, { prime, steps: 30, seed: 1 });
    const other = await generate(loaded, program, params, { prime, steps: 30, seed: 2 });
    expect(Array.from(again.samples!.data)).toEqual(Array.from(a.samples!.data));
    expect(Array.from(other.samples!.data)).not.toEqual(Array.from(a.samples!.data));
    // small weights: the output is near uniform, so every class is drawn
    expect(new Set(a.samples!.data).size).toBe(V);
    const whole = await runForward(
      loaded,
      params,
      { sequences: { x: concatSteps(prime, a.inputs), y: { shape: [P + 30, B], data: new Float64Array((P + 30) * B) } } },
      program,
    );
    expectClose("outputs", a.outputs, { shape: [30, B, V], data: whole.outputs.data.slice(P * B * V) }, 1e-12, 0);
  });

  it("token ids: a model whose input is class ids [B] gets the sampled id back", async () => {
    const b = new GraphBuilder();
    const ids = b.input("x", ["B"]);
    const h = b.carry("h", ["B", 4]);
    const hNext = b.tanh(b.add(b.matmul(b.oneHot(ids, V), b.param("W", [V, 4])), b.matmul(h, b.param("U", [4, 4]))));
    b.update(h, hNext);
    b.output("logits", b.matmul(hNext, b.param("V", [4, V])));
    const program = checkProgram(programOfGraph(b.toGraph("tokens")));
    expect(generationMode(program)).toBe("regression");
    const { loaded } = await loadFloat64(b.toGraph("tokens"));
    const params = randomParams(program, 7, 1.5);
    const prime: Tensor = { shape: [P, B], data: Float64Array.from([0, 1, 2, 0, 1, 1, 2, 2]) };
    const g = await generate(loaded, program, params, { prime, steps: N, mode: "classes", temperature: 0 });
    expect(g.inputs.shape).toEqual([N, B]);
    expect(Array.from(g.inputs.data)).toEqual(Array.from(g.samples!.data));
    // the logits are not a softmax: argmax of the logits themselves
    for (let k = 1; k < N; k++)
      for (let r = 0; r < B; r++) {
        const logits = at(g.outputs, k - 1, r);
        expect(g.inputs.data[k * B + r]).toBe(logits.indexOf(Math.max(...logits)));
      }
  });

  it("refuses a prime of the wrong shape, a negative temperature and a regression whose output is not the input", async () => {
    const { program, loaded } = await loadFloat64(spec);
    const params = randomParams(program, 3);
    await expect(generate(loaded, program, params, { prime: tensor([P, B, 2], uniform(1)), steps: 2 })).rejects.toThrow(
      'prime must be [P, B, 3] (steps, rows, then the input "x" [B, 3]), got [4, 2, 2]',
    );
    await expect(generate(loaded, program, params, { prime: tensor([P, B, V], uniform(1)), steps: 2, temperature: -1 })).rejects.toThrow(
      "temperature must be a number ≥ 0 (0: the most likely class), got -1",
    );
    const narrow = await loadFloat64({ input: 2, layers: [{ cell: "rnn", hidden: 2 }], head: { units: 1, activation: "linear" } });
    await expect(generate(narrow.loaded, narrow.program, randomParams(narrow.program, 1), { prime: tensor([P, B, 2], uniform(1)), steps: 2 })).rejects.toThrow(
      'regression feeds the output back as the next input: the output is [B, 1] but the input "x" is [B, 2]; they must match',
    );
  });
});
