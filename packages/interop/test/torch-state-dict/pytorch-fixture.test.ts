import { describe, expect, it } from "vitest";
import { fromNested } from "@unroll/ir";
import {
  decodeSafetensors,
  encodeSafetensors,
  initialStateFromTorch,
  modelFromTorchStateDict,
  readSafetensorsHeader,
  torchStateDictFromModel,
  type TorchImportOptions,
} from "../../src/index.js";
import { fixtureBytes, fixtureJson } from "../safetensors/fixtures.js";
import { maxAbsDiff, runModel } from "./helpers.js";

// torch-<case>.safetensors: real PyTorch modules' state_dicts, and torch-outputs.json their outputs computed by
// PyTorch in float64, both written by fixtures/make-torch-fixtures.py.
type Case = { options: TorchImportOptions; x: number[][] | number[][][]; output: number[][][]; h0?: number[][][]; c0?: number[][][] };
const cases = fixtureJson("torch-outputs.json") as Record<string, Case>;

describe("state_dicts written by PyTorch", () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: the imported model gives PyTorch's outputs to 1e-6 in float64`, async () => {
      const bytes = fixtureBytes(`torch-${name}.safetensors`);
      const { tensors } = decodeSafetensors(bytes, { dtype: "float64" });
      const imported = modelFromTorchStateDict(tensors, c.options);
      const x = fromNested(c.x, "float64", "x");
      const state = c.h0
        ? initialStateFromTorch(imported.module, fromNested(c.h0, "float64", "h0"), c.c0 ? fromNested(c.c0, "float64", "c0") : undefined)
        : undefined;
      const ours = await runModel(imported.spec, imported.weights, x, state);
      expect(ours.shape).toEqual([c.output.length, c.output[0].length, c.output[0][0].length]);
      // PyTorch's float64 kernels sum in another order: they agree to rounding, far inside the 1e-6 asked for
      expect(maxAbsDiff(ours, c.output)).toBeLessThan(1e-12);
    });

    it(`${name}: exported back, the state_dict has PyTorch's keys, shapes and dtypes (what load_state_dict checks)`, () => {
      const bytes = fixtureBytes(`torch-${name}.safetensors`);
      const torch = readSafetensorsHeader(bytes).entries;
      const float32 = torch[0].dtype === "F32";
      const { tensors } = decodeSafetensors(bytes, { dtype: float32 ? "float32" : "float64" });
      const { spec, weights, module } = modelFromTorchStateDict(tensors, c.options);
      const { stateDict } = torchStateDictFromModel(spec, weights, {
        prefix: module.prefix,
        ...(module.head ? { headPrefix: module.head.prefix } : {}),
        ...(module.embedding ? { embeddingPrefix: module.embedding.prefix } : {}),
      });
      const ours = readSafetensorsHeader(encodeSafetensors(stateDict)).entries;
      const layout = (entries: typeof ours) => entries.map((e) => `${e.name} ${e.dtype} [${e.shape.join(", ")}]`).sort();
      expect(layout(ours)).toEqual(layout(torch));
    });
  }
});
