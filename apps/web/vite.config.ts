import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";

// COOP + COEP make the page cross-origin isolated: SharedArrayBuffer works, so
// the worker pool shares its tensors and the stop flag is seen at once.
const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

/**
 * The web demo. Workspace packages load from their TypeScript sources (the
 * "source" export condition), so `npm run web` needs no build first. Module
 * workers ("es") let the trainer worker start the pool's workers in a build too.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  resolve: { conditions: ["source", ...defaultClientConditions] },
  worker: { format: "es" },
  // the one npm dependency is pre-bundled at startup: no late re-optimization reloads the page mid-run
  optimizeDeps: { noDiscovery: true, include: ["uplot"] },
  server: { headers },
  preview: { headers },
  build: { target: "es2022" },
  clearScreen: false,
});
