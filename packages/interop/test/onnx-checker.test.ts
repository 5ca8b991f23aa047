import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadProgram, type Dtype } from "@unroll/ir";
import { describe, expect, it } from "vitest";
import { encodeOnnxModel, exportOnnx } from "../src/index.js";
import { caseOptions, everyOpGraph, nativeCases, scanCases, type ExportCase } from "./support/export-cases.js";
import { randomWeights } from "./support/onnx-run.js";
import { onnxCheckerSkip, PYTHON } from "./support/python.js";

const script = fileURLToPath(new URL("./python/check_onnx.py", import.meta.url));

describe.skipIf(onnxCheckerSkip !== undefined)("ONNX checker", () => {
  it("passes every exported file, float32 and float64, native cells and Scan (onnx.checker full_check, one python process)", () => {
    const dir = mkdtempSync(join(tmpdir(), "unroll-onnx-"));
    try {
      const cases: ExportCase[] = [...nativeCases, ...scanCases, { name: "every-op", document: everyOpGraph(), lengths: [1], initialStates: true, cells: [] }];
      const files: string[] = [];
      for (const c of cases) {
        for (const dtype of ["float32", "float64"] as Dtype[]) {
          const weights = randomWeights(loadProgram(c.document), 1, dtype);
          const file = `${c.name}-${dtype}.onnx`;
          // the native cases in float64 too: valid ONNX, though ONNX Runtime's recurrent kernels run float32 only
          const cells = nativeCases.includes(c) ? { cells: "native" as const } : {};
          writeFileSync(join(dir, file), encodeOnnxModel(exportOnnx(c.document, weights, { ...caseOptions(c), ...cells, dtype })));
          files.push(file);
        }
      }
      const run = spawnSync(PYTHON, [script, dir], { encoding: "utf8", env: { ...process.env, OPENBLAS_CORETYPE: "SkylakeX" } });
      expect(run.error, "/usr/bin/python3 with the onnx package (Debian's python3-onnx) runs the checker").toBeUndefined();
      const report = JSON.parse(run.stdout || "{}") as { onnx?: string; results?: Record<string, string> };
      expect(report.results, `checker output: ${run.stdout}${run.stderr}`).toBeDefined();
      expect(Object.keys(report.results!).sort()).toEqual(files.sort());
      for (const [file, result] of Object.entries(report.results!)) expect(result, file).toBe("ok");
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

if (onnxCheckerSkip) it.skip(onnxCheckerSkip, () => {});
