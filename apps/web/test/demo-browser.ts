import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";

/** Debian's chromium, which the e2e tests drive (.ci/run installs it). */
export const CHROMIUM = "/usr/bin/chromium";

/** The web demo served by `npm run web`'s Vite config, and a headless Chromium to open it in. */
export interface DemoBrowser {
  /** The browser (a persistent context in a temporary profile). */
  readonly context: BrowserContext;
  /** The demo's URL on 127.0.0.1: a secure context, so navigator.gpu exists where Chromium has WebGPU. */
  readonly url: string;
  /** Closes the browser and the server, and removes the profile. */
  close(): Promise<void>;
}

/** Starts the demo's dev server and Chromium with `args`, together. */
export async function openDemoBrowser(args: readonly string[]): Promise<DemoBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "unroll-web-chromium-"));
  const configFile = fileURLToPath(new URL("../vite.config.ts", import.meta.url));
  const [server, context]: [ViteDevServer, BrowserContext] = await Promise.all([
    createServer({ configFile, server: { port: 0, strictPort: false, host: "127.0.0.1" }, logLevel: "warn" }).then((s) => s.listen()),
    chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...args], viewport: { width: 1280, height: 900 } }),
  ]);
  const { address, port } = server.httpServer!.address() as AddressInfo;
  return {
    context,
    url: `http://${address}:${port}/`,
    async close() {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
