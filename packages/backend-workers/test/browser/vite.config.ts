import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";

/** Set to "off" to serve the page without COOP/COEP, i.e. not cross-origin isolated. */
export const ISOLATION_ENV = "UNROLL_PAGE_ISOLATION";

// COOP + COEP make the page cross-origin isolated, which is what enables
// SharedArrayBuffer. Vite deep-merges `headers`, so an inline `headers: {}`
// cannot remove them: the non-isolated page is chosen here, by the env var.
const isolated = process.env[ISOLATION_ENV] !== "off";
const headers: Record<string, string> = isolated ? { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" } : {};

/**
 * The browser test page: workspace packages from their TypeScript sources (the
 * "source" condition). By hand: `npx vite --config packages/backend-workers/test/browser/vite.config.ts`.
 */
export default defineConfig({
  root: fileURLToPath(new URL("./page/", import.meta.url)),
  resolve: { conditions: ["source", ...defaultClientConditions] },
  // no dependency discovery: a late re-optimization would reload the page mid-run
  optimizeDeps: { noDiscovery: true, include: [] },
  server: { headers, host: "127.0.0.1" },
  preview: { headers, host: "127.0.0.1" },
  logLevel: "warn",
  clearScreen: false,
});
