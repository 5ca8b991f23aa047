import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { playwright } from "@vitest/browser-playwright";
import { defaultClientConditions, defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// This package's tests run three ways (the nx test target runs them all through this file; `vitest run --dir
// packages/backend-wasm` from the root runs the Node ones only):
// - "node": test/*.test.ts in Node, as the root vitest.config.ts runs them;
// - "chromium": test/browser/*.browser.test.ts in headless Chromium (vitest's browser mode, driven by Playwright) on a
//   page served with COOP and COEP, so it is cross-origin isolated: shared memory, the threads are Web Workers;
// - "chromium-not-isolated": test/browser/not-isolated.browser.test.ts on a page served without them.
// Off CI without Debian's chromium the browser files run in Node and report themselves skipped; on CI they fail
// instead (.ci/run installs chromium).
const CHROMIUM = "/usr/bin/chromium";
const browser = existsSync(CHROMIUM) || process.env.CI !== undefined;
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
const BROWSER_TESTS = "**/*.browser.test.ts";
const exclude = ["**/node_modules/**", "**/dist/**", "**/.nx/**"];
// inline projects inherit the root (the working directory) and ignore --dir: each looks in this package only
const dir = fileURLToPath(new URL(".", import.meta.url));

/** Browser mode in Chromium (a new object per project: vitest names the instances in place). */
const chromium = () => ({
  enabled: browser,
  headless: true,
  screenshotFailures: false,
  provider: playwright({ launchOptions: { executablePath: CHROMIUM, args } }),
  instances: [{ browser: "chromium" as const }],
});

export default defineConfig({
  ssr: { resolve: { conditions: ["source", ...defaultServerConditions] } },
  resolve: { conditions: ["source", ...defaultClientConditions] },
  // the npm packages the browser tests import, bundled before the page loads: no re-optimization reloads the page mid-run
  optimizeDeps: { include: ["zod"] },
  test: {
    testTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "node", dir, exclude: [...exclude, BROWSER_TESTS] } },
      {
        extends: true,
        test: { name: "chromium-not-isolated", dir, include: ["**/not-isolated.browser.test.ts"], exclude, browser: chromium() },
      },
      {
        extends: true,
        // COOP + COEP on every response of this project's browser server (vitest's orchestrator page, its test iframe,
        // the modules): the test iframe is then cross-origin isolated and has SharedArrayBuffer
        server: { headers: { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" } },
        test: {
          name: "chromium",
          dir,
          include: [BROWSER_TESTS],
          exclude: [...exclude, "**/not-isolated.browser.test.ts"],
          browser: chromium(),
        },
      },
    ],
  },
});
