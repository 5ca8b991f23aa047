import { describe, expect, it } from "vitest";
import { describeBackend } from "../src/index.js";
import { inSection, outcome, planSuite } from "./support/plan.js";
import { forwardOnlyCpu } from "./support/wrappers.js";

const FORWARD_ONLY = "(skipped: needs gradients, and the backend is forward-only (capabilities.gradients is false))";

describe("a forward-only backend (capabilities.gradients false)", () => {
  it("skips every gradient test, naming the reason, and runs every forward test", async () => {
    const tests = await planSuite(() => forwardOnlyCpu());
    const skipped = tests.filter((t) => t.skipped).map((t) => t.name);
    const unexpected = skipped.filter((n) => !n.endsWith(FORWARD_ONLY) && !n.startsWith("unsupported dtype: none to reject"));
    expect(unexpected).toEqual([]);
    const models = inSection(tests, "models");
    expect(models.filter((t) => t.name.includes(": forward outputs")).every((t) => !t.skipped)).toBe(true);
    expect(models.filter((t) => t.name.includes("gradients")).every((t) => t.skipped)).toBe(true);
    for (const section of ["BPTT equivalences", "run options", "lengths and masks"]) {
      const t = inSection(tests, section);
      expect(
        t.some((x) => !x.skipped),
        `${section} runs its forward tests`,
      ).toBe(true);
      expect(
        t.some((x) => x.skipped),
        `${section} skips its gradient tests`,
      ).toBe(true);
    }
    // errors and lifecycle ask for gradients only when the backend has them
    for (const section of ["bad shapes", "dispose and reuse"]) {
      expect(
        inSection(tests, section)
          .filter((t) => t.skipped && t.name.endsWith(FORWARD_ONLY))
          .map((t) => t.name),
        section,
      ).toEqual([...(section === "bad shapes" ? [expect.stringContaining("with gradients (computeGradients, full)")] : [])]);
    }
  });

  it("that answers gradients: true instead of rejecting it fails the suite's test of that", async () => {
    const name = "a forward-only backend (capabilities.gradients false) rejects a request with gradients: true";
    expect(await outcome(await planSuite(() => forwardOnlyCpu()), name)).toBeUndefined();
    expect((await outcome(await planSuite(() => forwardOnlyCpu(false)), name))?.message).toMatch(/expected the call to reject, but it resolved/);
  });
});

// The whole suite on the forward-only wrapper: it rejects every request for gradients, so a test that asks for them and is not skipped fails here.
describeBackend("cpu forward-only", () => forwardOnlyCpu());
