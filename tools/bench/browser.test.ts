import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORWARD_TOLERANCE, GRADIENT_TOLERANCE, isClose, type Tolerance } from "@unroll/backend-conformance";
import { DEFAULT_CHROMIUM, openBrowserBench, type BrowserBench } from "./src/browser-bench.js";
import { toRecord } from "./src/record.js";
import { browserSystems, systemByLabel } from "./src/systems.js";
import { formatTable, SOFTWARE_ADAPTER_NOTE } from "./src/table.js";
import { workloadById } from "./src/workloads.js";

// `npm run bench -- --browser`'s page in headless Chromium (Debian's, driven by playwright-core), on SwiftShader's
// WebGPU as CI has it: the WebGPU backend's loss and gradients on W1 and W2 at quick sizes equal the CPU backend's
// (both float32) to the conformance kit's float32 tolerances. Skipped only off CI when chromium is not installed.
const missing = !existsSync(DEFAULT_CHROMIUM);
const skipped = missing && !process.env.CI ? `skipped: ${DEFAULT_CHROMIUM} not installed (apt-get install -y chromium)` : undefined;
if (skipped) console.warn(`bench --browser tests ${skipped}`);
const title = (name: string): string => (skipped ? `${name} (${skipped})` : name);

/** The elements of `actual` outside `tol` of `expected`, as `index: actual vs expected` (the first few). */
function outside(actual: Float32Array, expected: Float32Array, tol: Tolerance): string[] {
  const bad: string[] = [];
  for (let i = 0; i < expected.length && bad.length < 5; i++) {
    if (!isClose(actual[i], expected[i], tol)) bad.push(`${i}: ${actual[i]} vs ${expected[i]}`);
  }
  return bad;
}

/** ‖actual − expected‖₂ / ‖expected‖₂ (Infinity when expected is all zeros and actual is not). */
function normwiseDifference(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    diff += (actual[i] - expected[i]) ** 2;
    norm += expected[i] ** 2;
  }
  return diff === 0 ? 0 : Math.sqrt(diff / norm);
}

describe("bench --browser: unroll/webgpu against unroll/cpu in headless Chromium", () => {
  let bench: BrowserBench | undefined;

  beforeAll(async () => {
    if (!missing) bench = await openBrowserBench({ adapter: "swiftshader" });
  }, 60_000);

  afterAll(async () => {
    await bench?.close();
  });

  const open = (): BrowserBench => {
    if (!bench) throw new Error(`${DEFAULT_CHROMIUM} is missing on CI: .ci/run installs it with apt-get install -y chromium`);
    return bench;
  };

  for (const id of ["W1", "W2"]) {
    const w = workloadById(id, true);
    it.skipIf(skipped)(
      title(
        `${id} (B=${w.batch} T=${w.steps} I=${w.input} H=${w.hidden} O=${w.output}): every parameter's gradient and the loss equal the CPU backend's (float32)`,
      ),
      async () => {
        const b = open();
        const cpu = await b.gradients({ system: "unroll/cpu", case: id, quick: true });
        const gpu = await b.gradients({ system: "unroll/webgpu", case: id, quick: true });
        expect(cpu.adapter).toBeNull();
        expect(gpu.adapter?.architecture, "SwiftShader, as flagged").toBe("swiftshader");
        expect(Object.keys(gpu.grads).sort()).toEqual(["head.W", "head.b", "layers.0.W_in", "layers.0.W_re", "layers.0.b"]);
        for (const [name, expected] of Object.entries(cpu.grads)) {
          const actual = gpu.grads[name];
          expect(actual.length, name).toBe(expected.length);
          expect(outside(actual, expected, GRADIENT_TOLERANCE.float32), `${name}: elements outside atol 2e-5 + rtol 1e-4`).toEqual([]);
          // the mse is a mean over T·B·O = 8192 outputs, so the gradients are small (max |g| 4e-5 to 5e-3) and the
          // absolute floor alone would check little: the whole tensor must also agree to the kit's rtol, normwise
          expect(normwiseDifference(actual, expected), `${name}: ‖webgpu − cpu‖ / ‖cpu‖`).toBeLessThanOrEqual(GRADIENT_TOLERANCE.float32.rtol);
        }
        expect(isClose(gpu.loss, cpu.loss, FORWARD_TOLERANCE.float32), `loss ${gpu.loss} vs ${cpu.loss}`).toBe(true);
      },
    );
  }

  // W4, the tiny case: the record is what is tested here, and its first step compiles fewer kernels than W1's
  it.skipIf(skipped)(
    title("a timed W4 pair on webgpu in a fresh page: its record carries the adapter, flags it as software, and has the CPU backend's loss"),
    async () => {
      const b = open();
      const job = { system: "unroll/webgpu", case: "W4", quick: true, warmup: 1, warmupMs: 0, repeats: 1, minTimeMs: 0, budgetMs: 60_000, gradNorm: true };
      const result = await b.run(job);
      const record = toRecord(workloadById("W4", true), systemByLabel(job.system, browserSystems), result, true);
      expect(record).toMatchObject({ status: "ok", backend: "webgpu", repeats: 1, software_adapter: true, peak_rss_mb: null, browser: b.browser });
      expect(record.adapter).toMatchObject({ architecture: "swiftshader" });
      expect(record.page_memory_mb, "the page is cross-origin isolated: its memory is measured").toBeGreaterThan(0);
      expect(formatTable([record])).toContain(SOFTWARE_ADAPTER_NOTE);
      const cpu = await b.gradients({ system: "unroll/cpu", case: "W4", quick: true });
      expect(isClose(record.loss!, cpu.loss, FORWARD_TOLERANCE.float32), `loss ${record.loss} vs ${cpu.loss}`).toBe(true);
    },
  );
});
