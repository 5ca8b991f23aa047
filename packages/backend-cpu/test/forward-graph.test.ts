import { describe, expect, it } from "vitest";
import { checkProgram, GraphBuilder, loadProgram, programOfGraph, type Dtype, type StepGraph, type Tensor } from "@unroll/ir";
import type { SequenceData } from "@unroll/bptt";
import { expectForwardMatches } from "./reference/compare.js";
import { referenceGatedUnit } from "./reference/gated-unit.js";
import { DTYPES, engineForward, randomParams, TOLERANCE } from "./reference/harness.js";
import { randomDense, seededRandom } from "./reference/rng.js";

const I = 3;
const H = 4;
const O = 2;
const T = 5;
const B = 3;
const S_INIT = 0.5;

/** A minimal gated unit composed from primitive ops; see `referenceGatedUnit` for its equations. */
function gatedUnitGraph(): StepGraph {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", I]);
  const y = b.input("y", ["B", O]);
  const h = b.carry("h", ["B", H]);
  const s = b.carry("s", ["B", H], S_INIT);
  const f = b.sigmoid(b.add(b.add(b.matmul(x, b.param("W_f", [I, H])), b.matmul(h, b.param("U_f", [H, H]))), b.param("b_f", [H])));
  const n = b.tanh(b.add(b.add(b.matmul(x, b.param("W_n", [I, H])), b.matmul(b.mul(f, h), b.param("U_n", [H, H]))), b.param("b_n", [H])));
  const hNext = b.add(b.mul(b.sub(b.scalar(1), f), h), b.mul(f, n));
  b.update(h, hNext);
  b.update(s, b.mul(s, f));
  const out = b.add(b.matmul(hNext, b.param("W_o", [H, O])), b.param("b_o", [O]));
  b.output("output", out);
  b.loss(b.mse(out, y));
  return b.toGraph("mgu");
}

function randomData(dtype: Dtype, rand: () => number, extra: Partial<SequenceData> = {}): SequenceData {
  return { sequences: { x: randomDense([T, B, I], rand, 1, dtype), y: randomDense([T, B, O], rand, 1, dtype) }, ...extra };
}

describe.each(DTYPES)("forward of a custom step graph matches its plain-loop reference (%s)", (dtype) => {
  const tol = TOLERANCE[dtype];

  it("a minimal gated unit wrapped with programOfGraph; the carry init applies to s", async () => {
    const program = checkProgram(programOfGraph(gatedUnitGraph()));
    const rand = seededRandom(71);
    const params = randomParams(program, rand, dtype);
    const data = randomData(dtype, rand);
    const engine = await engineForward(program, params, data, dtype);
    expectForwardMatches(engine, referenceGatedUnit(params, data, S_INIT), tol);
  });

  it("the same graph loaded from its JSON document gives the same result", async () => {
    const fromBuilder = checkProgram(programOfGraph(gatedUnitGraph()));
    const fromJson = loadProgram(JSON.parse(JSON.stringify(gatedUnitGraph())));
    const rand = seededRandom(72);
    const params = randomParams(fromBuilder, rand, dtype);
    const data = randomData(dtype, rand);
    const a = await engineForward(fromBuilder, params, data, dtype);
    const b = await engineForward(fromJson, params, data, dtype);
    expect([...b.outputs.data]).toEqual([...a.outputs.data]);
    expect(b.loss).toBe(a.loss);
    expectForwardMatches(b, referenceGatedUnit(params, data, S_INIT), tol);
  });

  it("with a given initial h, lengths [5, 1, 3] and s left at its init", async () => {
    const program = checkProgram(programOfGraph(gatedUnitGraph()));
    const rand = seededRandom(73);
    const params = randomParams(program, rand, dtype);
    const initialState: Record<string, Tensor> = { h: randomDense([B, H], rand, 0.8, dtype) };
    const data = randomData(dtype, rand, { initialState, lengths: [5, 1, 3] });
    const engine = await engineForward(program, params, data, dtype);
    expectForwardMatches(engine, referenceGatedUnit(params, data, S_INIT), tol);
    expect(engine.lossRows).toBe(9);
  });
});
