import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { CHROMIUM, openDemoBrowser, type DemoBrowser } from "./demo-browser.js";
import { chromiumWebGpuFlags } from "@unroll/backend-webgpu";

// The web demo on WebGPU in headless Chromium (Debian's, driven by
// playwright-core) against the Vite dev server of `npm run web`: the same
// model and settings trained on the CPU backend and then on WebGPU, whose
// adapter the page must show, and whose losses must follow the CPU's. WebGPU
// runs on SwiftShader here, a software adapter: its speed says nothing about
// GPUs, and nothing here is timed against it. Skipped only off CI when
// chromium is missing.
const missing = !existsSync(CHROMIUM);
const skipped = missing && !process.env.CI ? `skipped: ${CHROMIUM} not installed (apt-get install -y chromium)` : undefined;
const outDir = fileURLToPath(new URL("../../../test-output/", import.meta.url));
// WebGPU on the software Vulkan adapter (SwiftShader); without the networking flags Chromium stalls on a closed network
const args = [
  "--no-sandbox",
  ...chromiumWebGpuFlags("swiftshader", process.platform),
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The model of both runs: an LSTM, small so that each run is a few seconds of training. */
const MODEL = { cell: "lstm", hidden: "16", window: "10" };
/** Optimizer steps of each run: about 4 s of training on SwiftShader, the first step with the shaders' compilation. */
const STEPS = 10;
/**
 * The loss must fall by this much (nats per character) from step 1 to the
 * mean of steps 6–10, on each backend. Measured: 4.061 → 3.686 on both, a
 * fall of 0.375 (a uniform guess over the 57 characters is ln 57 = 4.04).
 */
const LOSS_DROP = 0.25;
/**
 * Largest difference between the two runs' losses at the same step. Both
 * start from the same weights (seed 1) and read the same windows, in float32,
 * with the same optimizer; only the order of the float sums differs, so the
 * curves coincide: measured 1.6e-7 over the 10 steps, against a fall of
 * about 0.04 nats per step.
 */
const LOSS_TOLERANCE = 1e-4;

/** A progress report as the page records it on `window.unrollWeb` (see src/main.ts). */
interface Progress {
  readonly step: number;
  readonly loss: number;
}
interface AdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
}
interface PageRecord {
  readonly progress: Progress[];
  readonly adapter?: AdapterInfo;
}

if (skipped) console.warn(`web demo on WebGPU e2e ${skipped}`);
const title = (name: string): string => (skipped ? `${name} (${skipped})` : name);

const readRecord = (page: Page): Promise<PageRecord> => page.evaluate(() => (globalThis as unknown as { unrollWeb: PageRecord }).unrollWeb);

/** Trains STEPS steps on `backend` with {@link MODEL}, stops, and returns what the page recorded and how long the steps took. */
async function trainRun(page: Page, backend: string): Promise<{ record: PageRecord; seconds: number }> {
  await page.selectOption("#backend", backend);
  const t0 = performance.now();
  await page.click("#train");
  await page.waitForFunction((n) => (globalThis as unknown as { unrollWeb: PageRecord }).unrollWeb.progress.length >= n, STEPS, { timeout: 60_000 });
  const seconds = (performance.now() - t0) / 1000;
  await page.click("#stop");
  await page.locator("#status", { hasText: "Stopped" }).waitFor({ timeout: 5_000 });
  return { record: await readRecord(page), seconds };
}

/** The fall from step 1 to the mean of the last five of STEPS steps. */
function lossDrop(losses: readonly number[]): number {
  return losses[0] - losses.slice(STEPS - 5, STEPS).reduce((a, b) => a + b, 0) / 5;
}

describe("web demo on WebGPU in headless Chromium", () => {
  let demo: DemoBrowser | undefined;

  beforeAll(async () => {
    if (missing) return; // skipped, or failed by the test on CI
    demo = await openDemoBrowser(args);
  });

  afterAll(async () => {
    await demo?.close();
  });

  it.skipIf(skipped)(
    title(
      `offers webgpu, shows its adapter, and its loss falls as on the CPU: ${STEPS} steps of the same model, losses within ${LOSS_TOLERANCE} nats step by step`,
    ),
    { timeout: 120_000 },
    async () => {
      if (missing) throw new Error(`${CHROMIUM} is missing on CI: install it with apt-get install -y chromium`);
      const t0 = performance.now();
      const lap = (): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
      const page = await demo!.context.newPage();
      const errors: string[] = [];
      page.on("console", (m) => void (m.type() === "error" && errors.push(`console: ${m.text()}`)));
      page.on("pageerror", (e) => void errors.push(`pageerror: ${e.message}`));
      await page.goto(demo!.url); // localhost: a secure context, so navigator.gpu exists
      await expect.poll(() => page.textContent("#status")).toContain("Ready");
      const offered = (): Promise<string[]> => page.locator("#backend option").evaluateAll((os) => os.map((o) => o.getAttribute("value") ?? ""));
      await expect.poll(offered, { message: "webgpu offered once an adapter answers" }).toEqual(["cpu", "wasm", "workers", "webgpu"]);
      for (const [id, value] of Object.entries(MODEL)) await page.selectOption(`#${id}`, value);
      const ready = lap();

      const cpu = await trainRun(page, "cpu");
      const cpuDone = lap();
      expect(await page.textContent("#adapter-info"), "no adapter on the CPU").toBe("");
      const gpu = await trainRun(page, "webgpu");
      const gpuDone = lap();
      expect(await page.textContent("#run-info")).toContain("float32");
      const adapter = gpu.record.adapter!;
      const shown = (await page.textContent("#adapter-info")) ?? "";
      mkdirSync(outDir, { recursive: true });
      await page.screenshot({ path: join(outDir, "web-demo-webgpu.png"), fullPage: true });

      const losses = (r: PageRecord): number[] => r.progress.slice(0, STEPS).map((p) => p.loss);
      const [onCpu, onGpu] = [losses(cpu.record), losses(gpu.record)];
      const gap = Math.max(...onCpu.map((l, i) => Math.abs(l - onGpu[i])));
      console.info(
        `web demo on WebGPU: ${JSON.stringify(adapter)}; shown as "${shown}"; ` +
          `loss on the CPU ${onCpu[0].toFixed(4)} → ${onCpu[STEPS - 1].toFixed(4)} (drop ${lossDrop(onCpu).toFixed(3)}), ` +
          `on WebGPU ${onGpu[0].toFixed(4)} → ${onGpu[STEPS - 1].toFixed(4)} (drop ${lossDrop(onGpu).toFixed(3)}); largest gap ${gap.toExponential(2)}; ` +
          `${STEPS} steps in ${cpu.seconds.toFixed(1)} s on the CPU, ${gpu.seconds.toFixed(1)} s on WebGPU from Train to step ${STEPS} ` +
          `(software adapter: says nothing about GPUs); page ready at ${ready}, CPU run done at ${cpuDone}, WebGPU run at ${gpuDone}`,
      );
      expect(shown).toMatch(/^WebGPU adapter: .+/);
      expect(`${adapter.architecture} ${adapter.description}`, "SwiftShader, as the flags ask").toMatch(/swiftshader/i);
      expect(shown, "a software adapter is named as one").toContain("software adapter: times say nothing about GPUs");
      expect(gpu.record.progress.map((p) => p.step).slice(0, STEPS)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
      expect([...onCpu, ...onGpu].every(Number.isFinite)).toBe(true);
      expect(onGpu[0], "the first window's loss is the uniform guess's, ln 57").toBeCloseTo(Math.log(57), 1);
      expect(lossDrop(onCpu), "the loss falls on the CPU").toBeGreaterThan(LOSS_DROP);
      expect(lossDrop(onGpu), "the loss falls on WebGPU").toBeGreaterThan(LOSS_DROP);
      expect(gap, `WebGPU's losses follow the CPU's step by step: ${onGpu} vs ${onCpu}`).toBeLessThan(LOSS_TOLERANCE);
      await page.close();
      expect(errors).toEqual([]);
    },
  );
});
