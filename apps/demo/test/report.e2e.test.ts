import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { runDemo } from "./run-demo.js";

// The demo's reports opened from disk in headless Chromium (Debian's, driven by playwright-core) with every request
// refused: uPlot, inlined in each page, draws every chart offline. Skipped only off CI when chromium is missing.
const CHROMIUM = "/usr/bin/chromium";
const missing = !existsSync(CHROMIUM);
const skipped = missing && !process.env.CI ? `skipped: ${CHROMIUM} not installed (apt-get install -y chromium)` : undefined;
const args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
/**
 * For the README: `UNROLL_REPORT_SCREENSHOT=docs/images/demo-report.png` also saves the text report's screenshot
 * there, after a run of `UNROLL_REPORT_STEPS` steps of the default model (default: a short run of a small one).
 */
const shotPath = process.env.UNROLL_REPORT_SCREENSHOT;
const steps = process.env.UNROLL_REPORT_STEPS;

const dir = mkdtempSync(join(tmpdir(), "unroll-demo-report-"));
const title = (name: string): string => (skipped ? `${name} (${skipped})` : name);

describe("the reports in headless Chromium, offline", () => {
  let profile: string | undefined;
  let context: BrowserContext | undefined;
  const requests: string[] = [];

  beforeAll(async () => {
    if (missing) return; // skipped, or failed by the tests on CI
    profile = mkdtempSync(join(tmpdir(), "unroll-report-chromium-"));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args, viewport: { width: 1100, height: 1320 } });
    await context.route("**/*", (route) =>
      route.request().url().startsWith("file:") ? route.continue() : (requests.push(route.request().url()), route.abort()),
    );
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the demo with `demoArgs`, opens its report and checks that uPlot drew one canvas per chart with no error and no request; the legends' text. */
  async function openReport(name: string, demoArgs: string[], charts: number): Promise<{ page: Page; legends: string[] }> {
    if (missing) throw new Error(`${CHROMIUM} is missing on CI: install it with apt-get install -y chromium`);
    const report = join(dir, `${name}.html`);
    const run = runDemo([...demoArgs, "--report", report], dir);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const page = await context!.newPage();
    const errors: string[] = [];
    page.on("console", (m) => void (m.type() === "error" && errors.push(`console: ${m.text()}`)));
    page.on("pageerror", (e) => void errors.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(report).href);
    await page
      .locator(".chart .uplot")
      .nth(charts - 1)
      .waitFor({ timeout: 10_000 });
    expect(await page.locator(".chart .uplot canvas").count(), "one canvas per chart").toBe(charts);
    const legends = await page.locator(".chart .u-legend").allTextContents();
    expect(errors).toEqual([]);
    expect(requests, "nothing is fetched from elsewhere").toEqual([]);
    return { page, legends };
  }

  it.skipIf(skipped)(title("text: the loss curve and the last window's gradient flow"), { timeout: 120_000 }, async () => {
    const demoArgs = steps
      ? ["--steps", steps, "--seed", "1"]
      : ["--steps", "40", "--seed", "1", "--hidden", "32", "--batch", "8", "--window", "16", "--sample-every", "20"];
    const { page, legends } = await openReport("text", demoArgs, 2);
    expect(legends).toEqual([expect.stringContaining("mean of the last 20 steps"), expect.stringContaining("layers.0.h")]);
    if (shotPath) {
      mkdirSync(dirname(resolve(repoRoot, shotPath)), { recursive: true });
      await page.screenshot({ path: join(dir, "shot.png") });
      copyFileSync(join(dir, "shot.png"), resolve(repoRoot, shotPath));
    }
    await page.close();
  });

  it.skipIf(skipped)(title("sine: the held-out wave and the training loss"), { timeout: 60_000 }, async () => {
    const { page, legends } = await openReport("sine", ["--task", "sine", "--steps", "20"], 2);
    expect(legends).toEqual([expect.stringContaining("prediction"), expect.stringContaining("training MSE")]);
    await page.close();
  });

  it.skipIf(skipped)(title("copy: every method's curve, and the chance line drawn across the x values it has no point at"), { timeout: 60_000 }, async () => {
    const { page, legends } = await openReport("copy", ["--task", "copy", "--steps", "5", "--lag", "4", "--window", "2"], 2);
    for (const legend of legends) expect(legend).toMatch(/chance.*full BPTT.*truncated BPTT.*RTRL.*SnAp-1/s);
    await page.close();
  });
});
