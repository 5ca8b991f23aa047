import { expect } from "vitest";
import { opKinds } from "@unroll/ir";
import { ALL_DTYPES, type SuiteContext } from "../suite-context.js";

/** The backend's name and declared capabilities are well formed. */
export function describeCapabilities(ctx: SuiteContext): void {
  ctx.registrar.describe("capabilities", () => {
    ctx.registrar.it("has a name and declares known dtypes and ops, each once, and gradients as a boolean if at all", () => {
      const { name, capabilities } = ctx.backend;
      expect(typeof name === "string" && name.length > 0, "name is a non-empty string").toBe(true);
      expect(capabilities.dtypes.length, "at least one dtype").toBeGreaterThan(0);
      expect(
        capabilities.dtypes.filter((d) => !ALL_DTYPES.includes(d)),
        "unknown dtypes",
      ).toEqual([]);
      expect(new Set(capabilities.dtypes).size, "dtypes listed once").toBe(capabilities.dtypes.length);
      expect(
        capabilities.ops.filter((op) => !opKinds.includes(op)),
        "unknown ops",
      ).toEqual([]);
      expect(new Set(capabilities.ops).size, "ops listed once").toBe(capabilities.ops.length);
      expect(["undefined", "boolean"], "gradients is a boolean or absent").toContain(typeof capabilities.gradients);
    });
  });
}
