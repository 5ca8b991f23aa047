import { describe, expect, it } from "vitest";
import { checkProgram, GraphBuilder, programOfGraph, type CheckedProgram } from "@unroll/ir";
import { computeGradients, NonFiniteError, sgd, Trainer, type NonFiniteSite, type SequenceData, type Truncation } from "@unroll/bptt";
import { createCpuBackend } from "../src/index.js";
import { cloneAll, expectAllClose, loadFloat64, randomParams, tensor, uniform } from "./support/bptt-fixtures.js";

/** h' = tanh(h W_re + log(x w) W_in), out = h' W_out, mse: NaN exactly where x w < 0. */
function logModel(): CheckedProgram {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", 1]);
  const y = b.input("y", ["B", 1]);
  const h = b.carry("h", ["B", 2]);
  const logp = b.node("log", [b.matmul(x, b.param("w", [1, 1]))], undefined, "logp");
  const hNext = b.tanh(b.add(b.matmul(h, b.param("W_re", [2, 2])), b.matmul(logp, b.param("W_in", [1, 2]))));
  b.update(h, hNext);
  const out = b.matmul(hNext, b.param("W_out", [2, 1]));
  b.output("output", out);
  b.loss(b.mse(out, y));
  return checkProgram(programOfGraph(b.toGraph("log model")));
}

/** T steps of positive x, except one negative entry at (step, row 1). */
function dataWithNegativeAt(T: number, step: number): SequenceData {
  const next = uniform(3);
  const x = tensor([T, 2, 1], () => 0.5 + Math.abs(next()));
  x.data[step * 2 + 1] = -1;
  return { sequences: { x, y: tensor([T, 2, 1], next) } };
}

async function setup() {
  const program = logModel();
  const loaded = await createCpuBackend().load(program, { dtype: "float64" });
  const params = randomParams(program, 4);
  params.w.data[0] = 0.5;
  return { program, loaded, params };
}

/** The error thrown by `run`, which must be a NonFiniteError. */
async function nonFinite(run: () => Promise<unknown>): Promise<NonFiniteError> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NonFiniteError);
  return err as NonFiniteError;
}

describe("non-finite values", () => {
  it("training throws NonFiniteError naming the node, op and time step, and leaves params untouched", async () => {
    const { program, loaded, params } = await setup();
    const before = cloneAll(params);
    const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr: 0.1 }) });
    const err = await nonFinite(() => trainer.fit(dataWithNegativeAt(4, 2)));
    expect(err.site).toEqual({ node: "logp", op: "log", step: 2, stage: 0, pass: "forward" } satisfies NonFiniteSite);
    expect(err.name).toBe("NonFiniteError");
    expect(err.message).toMatch(/^NaN first appeared in the forward pass at time step 2, in node "logp" \(log\)/);
    expectAllClose("params", params, before, 0, 0);
    expect(trainer.steps).toBe(0);
  });

  it("computeGradients throws the same error", async () => {
    const { program, loaded, params } = await setup();
    const err = await nonFinite(() => computeGradients(loaded, program, params, dataWithNegativeAt(5, 3), { kind: "full" }));
    expect(err.site).toEqual({ node: "logp", op: "log", step: 3, stage: 0, pass: "forward" });
  });

  // NonFiniteSite.step is documented as "counted from the start of the sequence";
  // the second window of a truncated run starts at step 4.
  for (const truncation of [
    { kind: "chunked", window: 4 },
    { kind: "k1k2", k1: 2, k2: 3 },
  ] as const satisfies readonly Truncation[]) {
    it(`under ${truncation.kind} truncation the step is counted from the start of the sequence (Trainer)`, async () => {
      const { program, loaded, params } = await setup();
      const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr: 0 }), truncation });
      const err = await nonFinite(() => trainer.fit(dataWithNegativeAt(8, 5)));
      expect(err.site).toEqual({ node: "logp", op: "log", step: 5, stage: 0, pass: "forward" });
      expect(err.message).toContain("at time step 5,");
    });

    it(`under ${truncation.kind} truncation the step is counted from the start of the sequence (computeGradients)`, async () => {
      const { program, loaded, params } = await setup();
      // the uninterrupted forward pass sees step 5 first
      const err = await nonFinite(() => computeGradients(loaded, program, params, dataWithNegativeAt(8, 5), truncation));
      expect(err.site).toEqual({ node: "logp", op: "log", step: 5, stage: 0, pass: "forward" });
    });
  }

  it("a value that overflows only in the backward pass is located there", async () => {
    const { program, loaded, params } = await setup();
    // log(5e-321) ≈ -737 is finite, but its gradient g / 5e-321 overflows;
    // a small W_in keeps tanh from saturating, so g is not zero
    params.W_in.data.fill(1e-3);
    const data = dataWithNegativeAt(4, 2);
    data.sequences.x.data[2 * 2 + 1] = 0.7;
    data.sequences.x.data[1 * 2 + 0] = 1e-320;
    const err = await nonFinite(() => computeGradients(loaded, program, params, data, { kind: "full" }));
    expect(err.site).toMatchObject({ op: "div", step: 1, stage: 0, pass: "backward" });
    expect(program.stages[0].checked.order.some((n) => n.id === err.site.node)).toBe(false);
    expect(err.message).toContain("in the backward pass at time step 1,");
  });

  it("a huge learning rate makes the next call throw at the first overflowing op", async () => {
    const { program, loaded } = await loadFloat64({
      input: 2,
      layers: [{ cell: "rnn", hidden: 3, activation: "relu" }],
      head: { units: 1, activation: "linear" },
      loss: "mse",
    });
    const params = randomParams(program, 5);
    const next = uniform(6);
    const data = { sequences: { x: tensor([3, 2, 2], next), y: tensor([3, 2, 1], () => 100 + next()) } };
    const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr: 1e300 }) });
    // the first update is finite but enormous (or already overflows the params)
    const err = await nonFinite(async () => {
      await trainer.fit(data);
      await trainer.fit(data);
    });
    // params near 1e300 keep x W_in + b and relu finite (h_0 = 0 makes h W_re zero);
    // the first product of two of them, h_1 · head.W, overflows
    const first = program.stages[0].checked.order.find((n) => n.op === "matmul" && n.inputs.includes("head.W"))!;
    expect(err.site).toEqual({ node: first.id, op: "matmul", step: 0, stage: 0, pass: "forward" });
    expect(err.message).toBe(
      `Infinity first appeared in the forward pass at time step 0, in node "${first.id}" (matmul); lower the learning rate, clip gradients, or check the data`,
    );
  });
});
