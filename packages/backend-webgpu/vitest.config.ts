import { existsSync } from "node:fs";
import { playwright } from "@vitest/browser-playwright";
import { defaultClientConditions } from "vite";
import { defineConfig } from "vitest/config";
import { chromiumWebGpuFlags } from "./src/chromium-flags.js";

// The WebGPU backend's tests run in headless Chromium (vitest's browser mode, driven by Playwright), whose WebGPU
// runs on the software Vulkan adapter (SwiftShader) with these flags; the page is served from localhost, a secure
// context, so navigator.gpu exists. Off CI without Debian's chromium the tests run in Node and report themselves
// skipped; on CI they fail instead (.ci/run installs chromium).
const CHROMIUM = "/usr/bin/chromium";
const browser = existsSync(CHROMIUM) || process.env.CI !== undefined;
const args = [
  "--no-sandbox",
  ...chromiumWebGpuFlags("swiftshader", process.platform),
  // without the networking flags Chromium stalls on a closed network
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export default defineConfig({
  resolve: { conditions: ["source", ...defaultClientConditions] },
  // the npm packages the tests import, bundled before the page loads: no re-optimization reloads the page mid-run
  optimizeDeps: { include: ["zod"] },
  test: {
    testTimeout: 60_000,
    browser: {
      enabled: browser,
      headless: true,
      screenshotFailures: false,
      provider: playwright({ launchOptions: { executablePath: CHROMIUM, args } }),
      instances: [{ browser: "chromium" }],
    },
  },
});
