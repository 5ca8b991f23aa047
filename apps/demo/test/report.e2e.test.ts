import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { chromium } from "playwright-core";
import { numberAfter, runDemo } from "./run-demo.js";

// The text demo's report opened from disk in headless Chromium (Debian's, driven by playwright-core) with every
// request refused: uPlot, inlined in the page, draws each chart offline. Skipped only off CI when chromium is missing.
const CHROMIUM = "/usr/bin/chromium";
const missing = !existsSync(CHROMIUM);
const skipped = missing && !process.env.CI ? `skipped: ${CHROMIUM} not installed (apt-get install -y chromium)` : undefined;
const args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
/**
 * For the README: `UNROLL_REPORT_SCREENSHOT=docs/images/demo-report.png` also saves the screenshot there, after a
 * run of `UNROLL_REPORT_STEPS` steps of the default model (default: a short run of a small one).
 */
const shotPath = process.env.UNROLL_REPORT_SCREENSHOT;
const steps = process.env.UNROLL_REPORT_STEPS;

const dir = mkdtempSync(join(tmpdir(), "unroll-demo-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the text report in headless Chromium", () => {
  it.skipIf(skipped)(
    skipped ? `draws its charts offline (${skipped})` : "draws its charts offline: the loss curve and the last window's gradient flow",
    { timeout: 120_000 },
    async () => {
      if (missing) throw new Error(`${CHROMIUM} is missing on CI: install it with apt-get install -y chromium`);
      const report = join(dir, "report.html");
      const run = steps
        ? runDemo(["--steps", steps, "--seed", "1", "--report", report], dir)
        : runDemo(["--steps", "40", "--seed", "1", "--hidden", "32", "--batch", "8", "--window", "16", "--sample-every", "20", "--report", report], dir);
      expect(run.stderr).toBe("");
      expect(numberAfter(run.stdout, "final loss")).toBeGreaterThan(0);
      const profile = mkdtempSync(join(tmpdir(), "unroll-report-chromium-"));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args,
        viewport: { width: 1100, height: 1320 },
      });
      try {
        const requests: string[] = [];
        await context.route("**/*", (route) =>
          route.request().url().startsWith("file:") ? route.continue() : (requests.push(route.request().url()), route.abort()),
        );
        const page = await context.newPage();
        const errors: string[] = [];
        page.on("console", (m) => void (m.type() === "error" && errors.push(`console: ${m.text()}`)));
        page.on("pageerror", (e) => void errors.push(`pageerror: ${e.message}`));
        await page.goto(pathToFileURL(report).href);
        await page.locator(".uplot").nth(1).waitFor({ timeout: 10_000 });
        expect(await page.locator(".chart .uplot canvas").count(), "one canvas per chart").toBe(2);
        expect(await page.locator(".chart .u-legend").allTextContents()).toEqual([
          expect.stringContaining("mean of the last 20 steps"),
          expect.stringContaining("layers.0.h"),
        ]);
        expect(errors).toEqual([]);
        expect(requests, "nothing is fetched from elsewhere").toEqual([]);
        if (shotPath) {
          mkdirSync(dirname(resolve(repoRoot, shotPath)), { recursive: true });
          await page.screenshot({ path: join(dir, "shot.png") });
          copyFileSync(join(dir, "shot.png"), resolve(repoRoot, shotPath));
        }
      } finally {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      }
    },
  );
});
