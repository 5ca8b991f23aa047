import { describe, expect, it } from "vitest";
import { opKinds, type OpKind } from "@unroll/ir";
import { computeGradients, runForward } from "@unroll/bptt";
import { cpuKernels, createCpuBackend, type KernelTable } from "@unroll/backend-cpu";
import { bidirectionalCandidates, causalCandidates, plainRnnCandidates, secondProgramCandidates } from "../src/models/candidates.js";
import { modelData } from "../src/models/model-data.js";
import { modelCases, type ModelCase } from "../src/models/models.js";
import { forwardMismatches, gradientMismatches } from "../src/sections/models.js";
import { randomParams, rngFor } from "../src/support/tensors.js";
import { opsOfProgram } from "../src/suite-context.js";
import { outcome, planSuite } from "./support/plan.js";

/** The CPU backend (plain kernels, no fusion) recording the op of every kernel it calls. */
function tracingCpu(called: Set<OpKind>) {
  const kernels = Object.fromEntries(
    opKinds.map((op) => [
      op,
      (node: never, inputs: never, out: never) => (called.add(op), (cpuKernels[op] as (n: never, i: never, o: never) => void)(node, inputs, out)),
    ]),
  ) as unknown as KernelTable;
  return createCpuBackend({ kernels });
}

/** Every model the suite runs. */
const models: ModelCase[] = [...modelCases(), ...causalCandidates(), ...bidirectionalCandidates(), ...secondProgramCandidates(), ...plainRnnCandidates()];

describe("ops that only the backward graph uses", () => {
  it("opsOfProgram lists every op the CPU backend runs for a model: forward, backward, masked, truncated, checkpointed", async () => {
    const backwardOnly = new Map<string, OpKind[]>();
    for (const model of models) {
      const { program } = model;
      const called = new Set<OpKind>();
      const cpu = tracingCpu(called);
      const loaded = await cpu.load(program, { dtype: "float64" });
      const rand = rngFor(`ops of ${model.name}`);
      const params = randomParams(program, rand);
      const data = modelData(program, 4, 3, rand);
      await runForward(loaded, params, data, program);
      const forward = new Set(called);
      await computeGradients(loaded, program, params, data, { kind: "full" });
      await computeGradients(loaded, program, params, { ...data, lengths: [4, 1, 3] }, { kind: "full" });
      if (model.causal) {
        await computeGradients(loaded, program, params, data, { kind: "k1k2", k1: 2, k2: 3 });
        await computeGradients(loaded, program, params, data, { kind: "full" }, { checkpointEvery: 2 });
      }
      const declared = opsOfProgram(program);
      expect(
        [...called].filter((op) => !declared.has(op)),
        model.name,
      ).toEqual([]);
      backwardOnly.set(model.name, [...called].filter((op) => !forward.has(op)).sort());
    }
    // e.g. relu's derivative is `step`, cross-entropy's gradient needs `oneHot`: opsOfProgram has them, so a backend without them is reported
    expect(backwardOnly.get("rnn relu, linear head, mse")).toContain("step");
    expect(backwardOnly.get("gru, softmax head, cross_entropy")).toContain("oneHot");
  });

  it("a wrong kernel for an op only backward uses (step, relu's derivative) fails its op check and the relu model's gradients, not its forward", async () => {
    const brokenStep = () => createCpuBackend({ kernels: { ...cpuKernels, step: (_node, _inputs, out) => void out.data.fill(1) } });
    const relu = modelCases().find((m) => m.name === "rnn relu, linear head, mse")!;
    expect(await forwardMismatches(brokenStep(), relu, "float64")).toEqual([]);
    const problems = await gradientMismatches(brokenStep(), relu, "float64");
    expect(
      problems.some((p) => p.startsWith("full BPTT: grads.")),
      problems.join("\n"),
    ).toBe(true);
    const tests = await planSuite(brokenStep);
    const stepCases = tests.filter((t) => t.path[0].startsWith("every op") && t.name.startsWith("step:"));
    expect(stepCases.length).toBeGreaterThan(0);
    for (const t of stepCases) expect(await outcome(tests, t.name), t.name).toBeInstanceOf(Error);
  });
});
