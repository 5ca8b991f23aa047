import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { chromiumWebGpuFlags, type ChromiumAdapter } from "@unroll/backend-webgpu";
import { build, defaultClientConditions, preview, type PreviewServer } from "vite";
import { FIRST_STEP_HOOK, PAGE_API, type BenchPage, type BrowserResult, type GradientsJob, type PageGradients, type PageResult } from "./page-protocol.js";
import type { ChildJob } from "./protocol.js";
import { watchPair } from "./watchdog.js";

/** Debian's Chromium, where CI installs it (`apt-get install -y chromium`). */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** Which WebGPU adapter Chromium offers: its own choice (the GPU, or SwiftShader where there is none), or SwiftShader forced. */
export type AdapterChoice = ChromiumAdapter;

/** Options of {@link openBrowserBench}. */
export interface BrowserBenchOptions {
  /** The Chromium (or Chrome) executable; default {@link DEFAULT_CHROMIUM}. */
  readonly executablePath?: string;
  /** Default `"default"`: a machine's GPU when it has one. */
  readonly adapter?: AdapterChoice;
  /** Where the page's console errors and warnings go, one line each (default: stderr). */
  readonly log?: (line: string) => void;
}

/** The bench page in a running Chromium. */
export interface BrowserBench {
  /** The browser, e.g. `"chromium 156.0.8078.114"`. */
  readonly browser: string;
  /** Measures one pair in a fresh page, as a child process does in Node, under the same watchdog. */
  run(job: ChildJob): Promise<BrowserResult>;
  /** The loss and every parameter's gradient of one case on one browser system (all calls share one page). */
  gradients(job: GradientsJob): Promise<PageGradients>;
  /** Closes the browser and the server. */
  close(): Promise<void>;
}

// without the networking flags Chromium stalls on a closed network
const NETWORK_ARGS = ["--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Chromium's flags: WebGPU (through Vulkan on Linux) and eager memory measurement (else it waits for a garbage collection). */
function chromiumArgs(adapter: AdapterChoice): string[] {
  return ["--no-sandbox", ...chromiumWebGpuFlags(adapter, process.platform), "--enable-blink-features=ForceEagerMeasureMemory", ...NETWORK_ARGS];
}

// COOP + COEP make the page cross-origin isolated: the worker pool shares memory, and the page can measure its memory
const ISOLATION_HEADERS = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

/**
 * Builds ../page (the bench's sources and the workspace packages it imports,
 * from TypeScript, and the worker pool's worker) into `outDir`, unminified so
 * that an error's stack reads, and serves it on an ephemeral localhost port: a
 * secure context, so WebGPU exists. Built once, each page then loads two files
 * instead of hundreds of modules.
 */
async function servePage(outDir: string): Promise<PreviewServer> {
  const root = fileURLToPath(new URL("../page/", import.meta.url));
  await build({
    configFile: false,
    root,
    resolve: { conditions: ["source", ...defaultClientConditions] },
    build: { outDir, emptyOutDir: true, minify: false, reportCompressedSize: false },
    logLevel: "warn",
  });
  return preview({
    configFile: false,
    root,
    build: { outDir },
    preview: { host: "127.0.0.1", port: 0, strictPort: false, headers: ISOLATION_HEADERS },
    logLevel: "warn",
  });
}

/**
 * Builds and serves the page, and starts Chromium (headless, driven by
 * playwright-core) with WebGPU enabled. Each `run` opens a fresh page, so
 * that pairs share no heap, as Node's pairs share no process.
 */
export async function openBrowserBench(options: BrowserBenchOptions = {}): Promise<BrowserBench> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  // the browser's profile and the built page
  const temp = mkdtempSync(join(tmpdir(), "unroll-bench-browser-"));
  let server: PreviewServer | undefined;
  let context: BrowserContext | undefined;
  const close = async (): Promise<void> => {
    await context?.close();
    await server?.close();
    rmSync(temp, { recursive: true, force: true });
  };
  try {
    [server, context] = await Promise.all([
      servePage(join(temp, "page")),
      chromium.launchPersistentContext(join(temp, "profile"), {
        executablePath: options.executablePath ?? DEFAULT_CHROMIUM,
        headless: true,
        args: chromiumArgs(options.adapter ?? "default"),
      }),
    ]);
  } catch (e) {
    await close();
    throw e;
  }
  const { address, port } = server.httpServer!.address() as AddressInfo;
  const url = `http://${address}:${port}/`;
  const browser = `chromium ${context.browser()?.version() ?? "(version unknown)"}`;
  const ctx = context;

  /** A fresh page with the bench loaded, its console errors and warnings passed to `log` labelled `what`. */
  async function openPage(what: string, onFirstStep?: (ms: number) => void): Promise<Page> {
    const page = await ctx.newPage();
    page.on("console", (m) => void ((m.type() === "error" || m.type() === "warning") && log(`  [chromium ${what}] ${m.text()}`)));
    page.on("pageerror", (e) => log(`  [chromium ${what}] ${e.message}`));
    if (onFirstStep) await page.exposeFunction(FIRST_STEP_HOOK, onFirstStep);
    await page.goto(url);
    await page.waitForFunction((api) => (globalThis as Record<string, unknown>)[api] !== undefined, PAGE_API);
    return page;
  }

  let gradientPage: Promise<Page> | undefined;
  return {
    browser,
    async run(job) {
      const what = `${job.system} ${job.case}`;
      let page: Page | undefined;
      let stopped = false;
      let onStop!: (r: PageResult) => void;
      const stop = new Promise<PageResult>((resolve) => (onStop = resolve));
      const watchdog = watchPair(job, (reason) => {
        stopped = true;
        onStop({ status: "skipped", reason, adapter: null });
      });
      const measured = (async (): Promise<PageResult> => {
        page = await openPage(what, (ms) => watchdog.firstStep(ms));
        if (stopped) return { status: "skipped", reason: "stopped while the page loaded", adapter: null };
        return page.evaluate(([api, j]) => ((globalThis as Record<string, unknown>)[api] as BenchPage).run(j), [PAGE_API, job] as const);
      })().catch((e: unknown): PageResult => ({ status: "error", reason: `the page failed: ${(e as Error).message.split("\n")[0]}`, adapter: null }));
      const result = await Promise.race([measured, stop]);
      watchdog.clear();
      // closing the page also ends a run the watchdog stopped (its evaluate then fails, unseen)
      await (page as Page | undefined)?.close();
      if (stopped) void measured.then(() => (page as Page | undefined)?.close());
      return { ...result, browser };
    },
    async gradients(job) {
      // one page for every call: these compare numbers, so nothing of one call's heap can skew another's
      gradientPage ??= openPage("gradients");
      const page = await gradientPage;
      return page.evaluate(([api, j]) => ((globalThis as Record<string, unknown>)[api] as BenchPage).gradients(j), [PAGE_API, job] as const);
    },
    close,
  };
}
