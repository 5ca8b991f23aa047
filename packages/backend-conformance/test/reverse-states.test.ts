import { describe, expect, it } from "vitest";
import { createCpuBackend } from "@unroll/backend-cpu";
import { bidirectionalCandidates } from "../src/models/candidates.js";
import { modelCases } from "../src/models/models.js";
import { maskedForwardMismatches } from "../src/sections/masks.js";
import { forwardMismatches, gradientMismatches } from "../src/sections/models.js";
import { SHOWN_PER_CHECK } from "../src/support/compare.js";
import { outcome, planSuite } from "./support/plan.js";
import { reverseStatesInScanOrder } from "./support/wrappers.js";

const bidirectional = modelCases().filter((m) => !m.causal);
/** A mismatch line about a reverse stage's state, e.g. `states.layers.0.h_reverse[t=0, b=0, 0]: …`. */
const reverseStateLine = /states\.layers\.\d\.[hc]_reverse\[t=\d, b=\d, \d\]/;

describe("states of reverse stages are checked in time order", () => {
  it("the CPU backend agrees with the reference on every state of every bidirectional model", async () => {
    for (const model of bidirectional) expect(await forwardMismatches(createCpuBackend(), model, "float64"), model.name).toEqual([]);
  });

  it("a backend returning reverse-stage states in scan order fails the forward check, on states only, naming state and step", async () => {
    for (const model of bidirectional) {
      const problems = await forwardMismatches(reverseStatesInScanOrder(), model, "float64");
      expect(problems.length, model.name).toBeGreaterThan(0);
      // outputs, final states and loss are right: only the order of the states is wrong
      expect(
        problems.filter((p) => !p.startsWith("states.")),
        model.name,
      ).toEqual([]);
      expect(
        problems.some((p) => reverseStateLine.test(p)),
        problems.join("\n"),
      ).toBe(true);
      expect(
        problems.some((p) => /^states\.layers\.\d\.[hc]\[/.test(p)),
        "forward-stage states are not flagged",
      ).toBe(false);
    }
  });

  it("it fails the gradient check (the states of a run with gradients) and the masked check too", async () => {
    const [model] = bidirectional;
    expect(
      (await gradientMismatches(reverseStatesInScanOrder(), model, "float64")).some((p) => /^full BPTT: states\.layers\.0\.[hc]_reverse\[t=/.test(p)),
    ).toBe(true);
    const masked = bidirectionalCandidates()[0];
    expect(
      (await maskedForwardMismatches(reverseStatesInScanOrder(), masked, "float64")).some((p) => /^states\.layers\.0\.h_reverse of row \d\[t=/.test(p)),
    ).toBe(true);
  });

  it("the suite's own test fails, with a bounded message that names the reverse state and step", async () => {
    const tests = await planSuite(() => reverseStatesInScanOrder());
    const error = await outcome(
      tests,
      "bidirectional lstm, linear head, mse: forward outputs, states (in time order), final state and loss match the float64 reference (float64)",
    );
    expect(error?.message).toMatch(/^mismatches \(\d+ lines/);
    expect(error?.message).toMatch(reverseStateLine);
    expect(error!.message.split("\n").length).toBeLessThanOrEqual(SHOWN_PER_CHECK + 2);
  });
});
