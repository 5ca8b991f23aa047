import { describe, expect, it } from "vitest";
import { checkProgram, GraphBuilder, programOfGraph, type CheckedProgram } from "@unroll/ir";
import { adam, computeGradients, initParams, runForward, Trainer, type SequenceData } from "@unroll/bptt";
import { createCpuBackend } from "../src/index.js";
import { expectMatchesFiniteDifferences, randomParams, tensor, uniform } from "./support/bptt-fixtures.js";

/**
 * A gated unit that is not a built-in, composed from primitive ops:
 * ```
 * g    = concat(x, h) W_g + b_g                 [B, 2H]
 * f, o = sigmoid(g[:, :H]), sigmoid(g[:, H:])
 * c    = tanh(concat(x, f * h) W_c + b_c)
 * h'   = h + f * (c - h)
 * out  = (o * h') W_out + b_out,  loss = mse(out, y)
 * ```
 */
function gatedUnit(I: number, H: number, O: number): CheckedProgram {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", I]);
  const y = b.input("y", ["B", O]);
  const h = b.carry("h", ["B", H], 0.1);
  const g = b.add(b.matmul(b.concat(x, h), b.param("W_g", [I + H, 2 * H])), b.param("b_g", [2 * H]));
  const f = b.sigmoid(b.slice(g, 0, H));
  const o = b.sigmoid(b.slice(g, H, 2 * H));
  const c = b.tanh(b.add(b.matmul(b.concat(x, b.mul(f, h)), b.param("W_c", [I + H, H])), b.param("b_c", [H])));
  const hNext = b.add(h, b.mul(f, b.sub(c, h)));
  b.update(h, hNext);
  const out = b.add(b.matmul(b.mul(o, hNext), b.param("W_out", [H, O])), b.param("b_out", [O]));
  b.output("output", out);
  b.loss(b.mse(out, y));
  return checkProgram(programOfGraph(b.toGraph("gated unit")));
}

describe("a custom cell built with GraphBuilder", () => {
  it("passes the finite-difference check (params, x, initial state), float64", async () => {
    const T = 4,
      B = 2,
      I = 3,
      H = 3,
      O = 2;
    const program = gatedUnit(I, H, O);
    expect(program.states.h.init).toBe(0.1);
    const loaded = await createCpuBackend().load(program, { dtype: "float64" });
    const params = randomParams(program, 7, 0.8);
    const next = uniform(8);
    const data: SequenceData = { sequences: { x: tensor([T, B, I], next), y: tensor([T, B, O], next) }, initialState: { h: tensor([B, H], next) } };
    const res = await computeGradients(loaded, program, params, data, { kind: "full" });
    const loss = async () => (await runForward(loaded, params, data, program)).loss!;
    for (const [name, p] of Object.entries(params)) await expectMatchesFiniteDifferences(`grads.${name}`, p, res.grads[name], loss);
    await expectMatchesFiniteDifferences("inputGrads.x", data.sequences.x, res.inputGrads.x, loss);
    await expectMatchesFiniteDifferences("initialStateGrads.h", data.initialState!.h, res.initialStateGrads.h, loss);
  });

  it("starts from its declared init (0.1) when no initial state is given", async () => {
    const program = gatedUnit(1, 2, 1);
    const loaded = await createCpuBackend().load(program, { dtype: "float64" });
    const params = randomParams(program, 1);
    const next = uniform(2);
    const sequences = { x: tensor([3, 2, 1], next), y: tensor([3, 2, 1], next) };
    const implicit = await runForward(loaded, params, { sequences }, program);
    const explicit = await runForward(loaded, params, { sequences, initialState: { h: { shape: [2, 2], data: new Float64Array(4).fill(0.1) } } }, program);
    expect(Array.from(implicit.outputs.data)).toEqual(Array.from(explicit.outputs.data));
  });

  it("trains: the sine one-step-ahead loss falls at least 10x in 150 Adam steps", async () => {
    const T = 16,
      B = 4,
      H = 6;
    const program = gatedUnit(1, H, 1);
    const loaded = await createCpuBackend().load(program, { dtype: "float64" });
    const x = tensor([T, B, 1], () => 0);
    const y = tensor([T, B, 1], () => 0);
    for (let t = 0; t < T; t++)
      for (let r = 0; r < B; r++) {
        x.data[t * B + r] = Math.sin(0.5 * t + r);
        y.data[t * B + r] = Math.sin(0.5 * (t + 1) + r);
      }
    const trainer = new Trainer(loaded, program, initParams(program, 42, "float64"), { optimizer: adam({ lr: 0.02 }) });
    const first = (await trainer.fit({ sequences: { x, y } })).loss;
    let last = first;
    for (let i = 1; i < 150; i++) last = (await trainer.fit({ sequences: { x, y } })).loss;
    expect(last).toBeLessThan(first / 10);
  });
});
