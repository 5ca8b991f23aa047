import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";
import { ISOLATION_ENV } from "./vite.config.js";

// The worker pool in headless Chromium (Debian's, driven by playwright-core):
// a Vite page runs full BPTT gradients and one SGD step on the pool and on the
// CPU backend, float64, and reports the differences. With COOP/COEP the page
// is cross-origin isolated and the pool shares memory; without, it falls back
// to transferred copies. Skipped only off CI when chromium is not installed.
const CHROMIUM = "/usr/bin/chromium";
const missing = !existsSync(CHROMIUM);
const skipped = missing && !process.env.CI ? `skipped: ${CHROMIUM} not installed (apt-get install -y chromium)` : undefined;
const configFile = fileURLToPath(new URL("./vite.config.ts", import.meta.url));
const outDir = fileURLToPath(new URL("../../../../test-output/", import.meta.url));
// without the networking flags Chromium stalls on a closed network
const args = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The page's `window.__result` (see page/main.ts). */
interface PageResult {
  readonly error?: string;
  readonly crossOriginIsolated: boolean;
  readonly sharedArrayBuffer: boolean;
  readonly gradElements: number;
  readonly maxAbsGradDiff: number;
  readonly lossDiff: number;
  readonly paramsAfterStepDiff: number;
  readonly stepSize: number;
  readonly loss: number;
  readonly log: readonly string[];
}

/** Starts the page's dev server on an ephemeral port, with or without COOP/COEP. */
async function serve(isolated: boolean): Promise<ViteDevServer> {
  const before = process.env[ISOLATION_ENV];
  process.env[ISOLATION_ENV] = isolated ? "on" : "off"; // read when the config file loads
  try {
    const server = await createServer({ configFile, server: { port: 0, strictPort: false } });
    return await server.listen();
  } finally {
    if (before === undefined) delete process.env[ISOLATION_ENV];
    else process.env[ISOLATION_ENV] = before;
  }
}

function urlOf(server: ViteDevServer): string {
  const { address, port } = server.httpServer!.address() as AddressInfo;
  return `http://${address}:${port}/`;
}

if (skipped) console.warn(`browser tests ${skipped}`);

/** A test title that carries the reason when it is skipped. */
const title = (name: string): string => (skipped ? `${name} (${skipped})` : name);

describe("worker pool in headless Chromium", () => {
  let profile: string | undefined;
  let context: BrowserContext | undefined;
  const servers: ViteDevServer[] = [];

  beforeAll(async () => {
    if (missing) return; // skipped, or failed by each test on CI
    profile = mkdtempSync(join(tmpdir(), "unroll-chromium-"));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args });
  });

  afterAll(async () => {
    await context?.close();
    await Promise.all(servers.map((s) => s.close()));
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Opens the page, waits for its result, screenshots it, and returns it with the console errors. */
  async function runPage(isolated: boolean, shot: string): Promise<{ result: PageResult; errors: string[] }> {
    if (missing) throw new Error(`${CHROMIUM} is missing on CI: .ci/run installs it with apt-get install -y chromium`);
    const server = await serve(isolated);
    servers.push(server);
    const page = await context!.newPage();
    const errors: string[] = [];
    page.on("console", (m) => void (m.type() === "error" && errors.push(`console: ${m.text()}`)));
    page.on("pageerror", (e) => void errors.push(`pageerror: ${e.message}`));
    await page.goto(urlOf(server));
    await page.waitForFunction(() => (globalThis as { __result?: unknown }).__result !== undefined, null, { timeout: 20_000 });
    const result = (await page.evaluate(() => (globalThis as { __result?: unknown }).__result)) as PageResult;
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, shot), fullPage: true });
    await page.close();
    return { result, errors };
  }

  function expectMatchesCpu(result: PageResult): void {
    expect(result.error, "page error").toBeUndefined();
    expect(result.gradElements).toBeGreaterThan(0);
    expect(result.maxAbsGradDiff, "max |grad diff| vs the CPU backend").toBeLessThanOrEqual(1e-12);
    expect(result.lossDiff, "|loss diff| vs the CPU backend").toBeLessThanOrEqual(1e-12);
    expect(result.paramsAfterStepDiff, "max |param diff| after one SGD step").toBeLessThanOrEqual(1e-12);
    expect(result.stepSize, "the SGD step moved the params").toBeGreaterThan(0);
    expect(Number.isFinite(result.loss)).toBe(true);
  }

  it.skipIf(skipped)(
    title("with COOP/COEP: cross-origin isolated, shared memory, gradients and an SGD step equal the CPU backend's (float64, 1e-12)"),
    async () => {
      const { result, errors } = await runPage(true, "backend-workers-chromium-isolated.png");
      expectMatchesCpu(result);
      expect(result.crossOriginIsolated).toBe(true);
      expect(result.sharedArrayBuffer).toBe(true);
      expect(result.log).toContain("pool of 2 web workers, shared memory");
      expect(result.log).toContain("window of 6 steps from step 0, batch 4, with gradients: worker 0 rows 0–1, worker 1 rows 2–3");
      expect(errors).toEqual([]);
    },
  );

  it.skipIf(skipped)(title("without COOP/COEP: the pool falls back to transferred copies and still equals the CPU backend"), async () => {
    const { result, errors } = await runPage(false, "backend-workers-chromium-not-isolated.png");
    expectMatchesCpu(result);
    expect(result.crossOriginIsolated).toBe(false);
    expect(result.sharedArrayBuffer).toBe(false);
    expect(result.log).toContain("SharedArrayBuffer is not available (the page is not cross-origin isolated): transferring copies of the buffers instead");
    expect(result.log).toContain("pool of 2 web workers, transferred copies");
    expect(result.log).toContain("window of 6 steps from step 0, batch 4, with gradients: worker 0 rows 0–1, worker 1 rows 2–3 (transferred copies)");
    expect(errors).toEqual([]);
  });
});
