import { describe, expect, it } from "vitest";
import { loadProgram } from "@unroll/ir";
import { measureWeightsFile, weightsFileModel, weightsFileRecord } from "./src/weights-files.js";

describe("F1: weights files", () => {
  it("times a 5-million-parameter model (--quick: under half a million)", () => {
    const count = (quick: boolean) =>
      Object.values(loadProgram(weightsFileModel(quick)).params).reduce((n, s) => n + (s as number[]).reduce((a, b) => a * b, 1), 0);
    expect(count(false)).toBe(4 * 1024 * (128 + 1024 + 1) + (1024 + 1) * 256);
    expect(count(false)).toBeGreaterThan(4.9e6);
    expect(count(true)).toBeLessThan(5e5);
  });

  it("measures both formats, each loading back what it saved, and takes the speed-ups over JSON's medians", () => {
    const json = measureWeightsFile("json", true, 1);
    const st = measureWeightsFile("safetensors", true, 1);
    expect(st.params).toBe(json.params);
    // float32: 4 bytes a number in safetensors, JSON's decimals several times that
    expect(st.bytes).toBeGreaterThan(4 * st.params);
    expect(st.bytes).toBeLessThan(4 * st.params + 4096);
    expect(json.bytes).toBeGreaterThan(2 * st.bytes);
    const record = weightsFileRecord(
      "safetensors",
      true,
      { ...st, saveMs: [10, 30, 20], loadMs: [5, 5, 6] },
      { ...json, saveMs: [200, 400, 300], loadMs: [100, 50, 60] },
    );
    expect(record).toMatchObject({ status: "ok", save_ms: 20, load_ms: 5, save_speedup_over_json: 15, load_speedup_over_json: 12, repeats: 3 });
    expect(weightsFileRecord("json", true, "boom")).toMatchObject({ status: "error", reason: "boom", save_ms: null });
  });
});
