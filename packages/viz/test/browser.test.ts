import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadProgram } from "@unroll/ir";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { htmlPage, stepGraphSvg, windowDiagram, windowSvg } from "@unroll/viz";

// The drawings as a browser renders them (Debian's Chromium, driven by playwright-core): each page loads
// without errors and every box and cell has a size and lies inside the picture. Skipped only off CI
// when chromium is missing. `UNROLL_VIZ_SCREENSHOTS=docs/images` also saves the PNGs the guide shows.
const CHROMIUM = "/usr/bin/chromium";
const missing = !existsSync(CHROMIUM);
const skipped = missing && !process.env.CI ? `skipped: ${CHROMIUM} not installed (apt-get install -y chromium)` : undefined;
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const shots = process.env.UNROLL_VIZ_SCREENSHOTS;
const args = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const lstm = loadProgram({ input: 3, layers: [{ cell: "lstm", hidden: 4 }], head: { units: 5, activation: "softmax" }, loss: "cross_entropy" });
const drawings = [
  { name: "viz-lstm-step-graph.png", svg: stepGraphSvg(lstm, { title: "Step graph of an LSTM with a softmax head" }), parts: ".box" },
  {
    name: "viz-unrolled-window.png",
    svg: windowSvg(windowDiagram(lstm, { steps: 12, truncation: { kind: "chunked", window: 4 }, checkpointEvery: 2 })),
    parts: ".cell, .pass, .cut",
  },
];

/** What the page measures of a part (a DOMRect's fields; this config has no DOM types). */
interface Bounds {
  readonly left: number;
  readonly right: number;
  readonly bottom: number;
  readonly width: number;
  readonly height: number;
}

if (skipped) console.warn(`viz browser test ${skipped}`);

describe("the drawings in headless Chromium", () => {
  let profile: string | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    if (missing) return;
    profile = mkdtempSync(join(tmpdir(), "unroll-viz-chromium-"));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args, viewport: { width: 1400, height: 900 } });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it.skipIf(skipped)(`render with every part inside the picture${skipped ? ` (${skipped})` : ""}`, { timeout: 60_000 }, async () => {
    if (missing) throw new Error(`${CHROMIUM} is missing on CI: install it with apt-get install -y chromium`);
    for (const d of drawings) {
      const page = await context!.newPage();
      const errors: string[] = [];
      page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
      page.on("pageerror", (e) => void errors.push(e.message));
      // wide enough for the whole drawing: the page's figure would scroll it, and a screenshot clip it
      await page.setViewportSize({ width: Number(/width="(\d+)"/.exec(d.svg)![1]) + 64, height: 900 });
      await page.setContent(htmlPage(d.name, [d.svg]));
      const svg = page.locator("svg.unroll-viz");
      const box = (await svg.boundingBox())!;
      const parts = await page.locator(d.parts).evaluateAll((els) =>
        els.map((el) => {
          const r = (el as unknown as { getBoundingClientRect(): Bounds }).getBoundingClientRect();
          return { left: r.left, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
        }),
      );
      expect(parts.length).toBeGreaterThan(10);
      for (const r of parts) {
        expect(r.width * r.height, d.name).toBeGreaterThan(0);
        expect(r.left).toBeGreaterThanOrEqual(box.x - 0.5);
        expect(r.right).toBeLessThanOrEqual(box.x + box.width + 0.5);
        expect(r.bottom).toBeLessThanOrEqual(box.y + box.height + 0.5);
      }
      if (shots) {
        mkdirSync(resolve(repoRoot, shots), { recursive: true });
        await svg.screenshot({ path: resolve(repoRoot, shots, d.name) });
      }
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
