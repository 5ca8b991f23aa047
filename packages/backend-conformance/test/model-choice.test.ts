import { describe, expect, it } from "vitest";
import { createCpuBackend } from "@unroll/backend-cpu";
import { causalCandidates } from "../src/models/candidates.js";
import { chooseModel } from "../src/suite-context.js";
import { inSection, outcome, planSuite, type PlannedTest } from "./support/plan.js";
import { cpuWithout } from "./support/wrappers.js";

/** The sections that test time and rows, not cells: one undeclared op of a cell must not skip them. */
const SECTIONS = ["BPTT equivalences", "run options", "lengths and masks", "dropout", "dispose and reuse"];
const skipped = (tests: readonly PlannedTest[]) => tests.filter((t) => t.skipped);
const running = (tests: readonly PlannedTest[]) => tests.filter((t) => !t.skipped);

describe("one undeclared op does not skip unrelated sections", () => {
  it("models are chosen simplest first, by every op they run (backward and masked ones included)", () => {
    const all = { ops: new Set(createCpuBackend().capabilities.ops) };
    expect(chooseModel(all, causalCandidates()).chosen?.name).toBe("two-state tanh cell (GraphBuilder), mse");
    const noTanh = { ops: new Set([...all.ops].filter((op) => op !== "tanh")) };
    const choice = chooseModel(noTanh, causalCandidates());
    expect(choice.chosen?.name).toBe("rnn relu, linear head, mse");
    expect(choice.passedOver.map((p) => [p.model.name, p.missing])).toEqual([["two-state tanh cell (GraphBuilder), mse", ["tanh"]]]);
    // relu's derivative is `step`, an op that only the backward graph runs
    const noStep = { ops: new Set([...all.ops].filter((op) => op !== "tanh" && op !== "step")) };
    expect(chooseModel(noStep, causalCandidates()).chosen?.name).toBe("rnn sigmoid, linear head, mse");
  });

  it("without sigmoid: the equivalence, run-option, mask and lifecycle sections run whole, and every skip names sigmoid", async () => {
    const full = await planSuite(() => createCpuBackend());
    const tests = await planSuite(() => cpuWithout("sigmoid"));
    for (const section of SECTIONS) {
      expect(skipped(inSection(tests, section)), section).toEqual([]);
      expect(
        running(inSection(tests, section)).map((t) => t.name),
        section,
      ).toEqual(running(inSection(full, section)).map((t) => t.name));
    }
    // the NaN checks and the bad-shape checks run too
    expect(skipped(inSection(tests, "bad shapes")).map((t) => t.name)).toEqual(skipped(inSection(full, "bad shapes")).map((t) => t.name));
    // what is skipped: models built on sigmoid (lstm, gru, the gated cell, a sigmoid rnn or head), in the model and RTRL checks, each naming it
    const gaps = skipped(tests).filter((t) => !skipped(full).some((f) => f.name === t.name));
    expect(
      gaps.every((t) => t.name.includes("(skipped: needs ops the backend does not declare: sigmoid)")),
      gaps.map((t) => t.name).join("\n"),
    ).toBe(true);
    expect(new Set(gaps.map((t) => t.path[0].split(":")[0]))).toEqual(new Set(["models", "RTRL", "SnAp-1"]));
    // rnn tanh, rnn relu and rnn without head run: forward and gradients in 2 dtypes, and 3 finite-difference checks, each
    expect(running(inSection(tests, "models")).length).toBe(3 * 7);
  });

  it("without log: the NaN checks run on a model that divides 0 by 0, and one skip says the log model was passed over", async () => {
    const tests = await planSuite(() => cpuWithout("log"));
    const nan = inSection(tests, "bad shapes").filter((t) => t.name.includes("NaN"));
    expect(running(nan).map((t) => t.name)).toEqual([
      "a NaN ((x v) / (x w), NaN where x = 0) rejects with NonFiniteError naming node, op and step, forward only (runForward)",
      "a NaN ((x v) / (x w), NaN where x = 0) rejects with NonFiniteError naming node, op and step, with gradients (computeGradients, full)",
      "a NaN ((x v) / (x w), NaN where x = 0) rejects with NonFiniteError naming node, op and step, in a window starting at step 2 (firstStep 2): the step is counted from the sequence start",
    ]);
    expect(skipped(nan).map((t) => t.name)).toEqual([
      "NaN checks on log(x w), NaN where x < 0 (skipped: needs ops the backend does not declare: log; ran on (x v) / (x w), NaN where x = 0 instead)",
    ]);
    // and they pass: the division is where the NaN first appears, and the backend names it
    for (const t of running(nan)) expect(await outcome(tests, t.name), t.name).toBeUndefined();
  });

  it("without tanh: every section falls back to a relu rnn and says so in one skip per choice", async () => {
    const tests = await planSuite(() => cpuWithout("tanh"));
    for (const section of SECTIONS) {
      const t = inSection(tests, section);
      expect(running(t).length, section).toBeGreaterThan(0);
      expect(
        running(t).every((x) => x.name.includes("relu")),
        section,
      ).toBe(true);
      expect(skipped(t).length, section).toBeGreaterThan(0);
      expect(
        skipped(t).every((x) => /\(skipped: needs ops the backend does not declare: .*tanh.*; ran on .*relu.* instead\)$/.test(x.name)),
        skipped(t)
          .map((x) => x.name)
          .join("\n"),
      ).toBe(true);
    }
  });

  it("without matmul nothing can run; every test of those sections is skipped, naming what is missing", async () => {
    const tests = await planSuite(() => cpuWithout("matmul"));
    for (const section of SECTIONS) {
      const t = inSection(tests, section);
      expect(running(t), section).toEqual([]);
      expect(
        t.every((x) => /\(skipped: .*need(s)? ops the backend does not declare: .*matmul/.test(x.name)),
        section,
      ).toBe(true);
      expect(
        t.some((x) => /candidate models runs; they need ops the backend does not declare: matmul\)$/.test(x.name)),
        section,
      ).toBe(true);
    }
  });
});
