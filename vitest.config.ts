import { defaultClientConditions, defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Tests run on TypeScript sources: the "source" export condition points each
// workspace package at its src/index.ts, so no build is needed first.
export default defineConfig({
  ssr: { resolve: { conditions: ["source", ...defaultServerConditions] } },
  resolve: { conditions: ["source", ...defaultClientConditions] },
  test: {
    // *.browser.test.ts run in Chromium, through their package's own vitest.config.ts (packages/backend-wasm)
    exclude: ["**/node_modules/**", "**/dist/**", "**/.nx/**", "**/*.browser.test.ts"],
    testTimeout: 60_000,
  },
});
