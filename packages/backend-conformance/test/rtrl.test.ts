import { describe, expect, it } from "vitest";
import { createCpuBackend } from "@unroll/backend-cpu";
import { inSection, outcome, planSuite, type PlannedTest } from "./support/plan.js";
import { cpuWithout, dropsSensitivities, forwardOnlyCpu, rtrlAsBptt } from "./support/wrappers.js";

const FORWARD_ONLY = "(skipped: needs gradients, and the backend is forward-only (capabilities.gradients is false))";
const rtrlTests = (tests: readonly PlannedTest[]) => inSection(tests, "RTRL");
const names = (tests: readonly PlannedTest[]) => tests.map((t) => t.name);

describe("the RTRL section of the suite", () => {
  it("checks every causal model, masked batches, two carried windows and both rejections in every dtype, and runs them all on the CPU backend", async () => {
    const tests = rtrlTests(await planSuite(() => createCpuBackend()));
    expect(tests.filter((t) => t.skipped)).toEqual([]);
    const all = names(tests);
    for (const model of ["rnn tanh", "lstm", "gru resetAfter false", "stacked rnn + lstm + gru", "custom gated cell"])
      for (const dtype of ["float64", "float32"])
        expect(
          all.some((n) => n.startsWith(model) && n.includes("RTRL gradients equal full BPTT's") && n.endsWith(`(${dtype})`)),
          `${model} ${dtype}`,
        ).toBe(true);
    expect(all.filter((n) => n.includes("masked batch") && n.includes("RTRL gradients equal")).length).toBe(4);
    expect(all.filter((n) => n.includes("two RTRL windows carrying")).length).toBe(4);
    expect(all.some((n) => n.includes('with method "rtrl" rejects, saying RTRL needs a causal model'))).toBe(true);
    expect(all.some((n) => n.includes("a sensitivity of the wrong shape rejects"))).toBe(true);
  });

  it("a forward-only backend reports every RTRL check as skipped, naming the reason", async () => {
    const tests = rtrlTests(await planSuite(() => forwardOnlyCpu()));
    expect(tests.length).toBeGreaterThan(0);
    expect(names(tests.filter((t) => !t.skipped || !t.name.endsWith(FORWARD_ONLY)))).toEqual([]);
  });

  it("without broadcastTo, an op only RTRL runs, the RTRL checks are skipped naming it and nothing else is skipped for it", async () => {
    const full = await planSuite(() => createCpuBackend());
    const tests = await planSuite(() => cpuWithout("broadcastTo"));
    const rtrl = rtrlTests(tests);
    // the rejection of a bidirectional model runs no RTRL
    expect(names(rtrl.filter((t) => !t.skipped))).toEqual([expect.stringContaining("saying RTRL needs a causal model")]);
    expect(
      rtrl.filter((t) => t.skipped).every((t) => /needs? ops the backend does not declare: broadcastTo\)$/.test(t.name)),
      names(rtrl).join("\n"),
    ).toBe(true);
    const gaps = tests.filter((t) => t.skipped && !full.some((f) => f.skipped && f.name === t.name));
    // besides RTRL and SnAp-1 (whose graphs run it too), only op cases that run broadcastTo themselves (some matmul cases' backward)
    // and the layer-normalized models (layerNorm broadcasts each row's mean and scale over the row) are skipped for it
    const others = gaps.filter((t) => !t.path[0].startsWith("RTRL") && !t.path[0].startsWith("SnAp-1") && !t.path[0].startsWith("every op"));
    expect(names(others.filter((t) => !t.name.startsWith("layer-normalized ")))).toEqual([]);
    expect(others.every((t) => t.name.endsWith("(skipped: needs ops the backend does not declare: broadcastTo)"))).toBe(true);
    expect(gaps.some((t) => t.path[0].startsWith("RTRL"))).toBe(true);
  });

  it("a backend that runs BPTT when asked for RTRL fails the gradient and carried checks: input gradients, no sensitivities", async () => {
    const tests = await planSuite(() => rtrlAsBptt());
    const gradients = await outcome(
      tests,
      "rnn tanh, linear head, mse: RTRL gradients equal full BPTT's (the backend's and the float64 reference's), sensitivities the reference's (float64)",
    );
    expect(gradients?.message).toMatch(/RTRL: no sensitivities/);
    expect(gradients?.message).toMatch(/RTRL: inputGrads, which RTRL does not compute/);
    const carried = names(rtrlTests(tests)).find((n) => n.includes("two RTRL windows") && !n.includes("masked") && n.endsWith("(float64)"))!;
    expect((await outcome(tests, carried))?.message).toMatch(/one window: no sensitivities/);
  });

  it("a backend that ignores the sensitivities entering a window passes one window and fails the carried checks and the misshapen one", async () => {
    const tests = await planSuite(() => dropsSensitivities());
    const rtrl = rtrlTests(tests);
    expect(
      await outcome(
        tests,
        "lstm, sigmoid head, mse: RTRL gradients equal full BPTT's (the backend's and the float64 reference's), sensitivities the reference's (float64)",
      ),
    ).toBeUndefined();
    for (const name of names(rtrl.filter((t) => t.name.includes("two RTRL windows") && t.name.endsWith("(float64)")))) {
      const error = await outcome(tests, name);
      expect(error?.message, name).toMatch(/grads of both windows vs one window\./);
    }
    expect((await outcome(tests, "a sensitivity of the wrong shape rejects"))?.message).toMatch(/expected the call to reject, but it resolved/);
  });
});
