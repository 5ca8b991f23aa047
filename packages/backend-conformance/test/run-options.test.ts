import { describe, expect, it } from "vitest";
import { createCpuBackend } from "@unroll/backend-cpu";
import { bidirectionalCandidates, causalCandidates } from "../src/models/candidates.js";
import { checkpointMismatches, collectStatesMismatches } from "../src/sections/run-options.js";
import { expectNoMismatches } from "../src/support/compare.js";
import { outcome, planSuite } from "./support/plan.js";
import { collectsStatesAnyway, driftWhenCheckpointing, statesOnlyAtCheckpoints } from "./support/wrappers.js";

const [causal] = causalCandidates();
const [bidirectional] = bidirectionalCandidates();
const truncations = [{ kind: "full" }, { kind: "k1k2", k1: 2, k2: 3 }] as const;

describe("run options: each check can fail", () => {
  it("the CPU backend passes them", async () => {
    const cpu = createCpuBackend();
    expect(await checkpointMismatches(cpu, causal, "float64", truncations)).toEqual([]);
    for (const model of [causal, bidirectional])
      for (const gradients of [false, true]) expect(await collectStatesMismatches(cpu, model, "float64", gradients)).toEqual([]);
  });

  it("a backend that returns states although collectStates is false fails, forward and with gradients, and the suite's test fails", async () => {
    for (const gradients of [false, true]) {
      expect(await collectStatesMismatches(collectsStatesAnyway(), causal, "float64", gradients)).toEqual([
        "states: c, h returned although collectStates is false",
      ]);
    }
    const error = await outcome(
      await planSuite(() => collectsStatesAnyway()),
      `${causal.name}: collectStates: false returns no states and changes nothing else (forward)`,
    );
    expect(error?.message).toContain("returned although collectStates is false");
  });

  it("a backend that keeps states only at checkpoints fails, naming the state and step", async () => {
    const problems = await checkpointMismatches(statesOnlyAtCheckpoints(), causal, "float64", truncations);
    expect(
      problems.some((p) => /^full, checkpointEvery 2: forward states\.h\[t=1, b=0, 0\]/.test(p)),
      problems.join("\n"),
    ).toBe(true);
    // under full BPTT its gradients are right: only the states it returns are wrong
    expect(
      problems.filter((p) => p.startsWith("full") && !p.includes(": forward states.")),
      problems.join("\n"),
    ).toEqual([]);
  });

  it("a backend whose gradients drift when checkpointing fails", async () => {
    const problems = await checkpointMismatches(driftWhenCheckpointing(), causal, "float64", truncations);
    expect(
      problems.some((p) => /^full, checkpointEvery 2: grads\.W_x\[/.test(p)),
      problems.join("\n"),
    ).toBe(true);
    expect(
      problems.some((p) => /^k1k2, checkpointEvery 3: windows\[0\]\.grads\./.test(p)),
      problems.join("\n"),
    ).toBe(true);
  });
});

describe("checkpointing a bidirectional model", () => {
  // the scheduler recomputes every checkpointed segment, with or without carries (the head after a bidirectional layer has none)
  it("changes nothing on the CPU backend", async () => {
    expectNoMismatches(await checkpointMismatches(createCpuBackend(), bidirectional, "float64", [{ kind: "full" }]));
  });
});
