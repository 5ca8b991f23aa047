import { describe, expect, it } from "vitest";
import { createWasmBackend } from "../../src/index.js";
import { expectTrainsLikeFloat64 } from "./train-small.js";

// In Chromium on a page served without COOP/COEP (vitest.config.ts's "chromium-not-isolated" project): no shared
// memory, so the backend asked for 2 threads runs on one and says why. Off CI without chromium this file runs in Node
// and skips itself.
const inBrowser = typeof (globalThis as { window?: unknown }).window !== "undefined";

if (inBrowser)
  describe("wasm in Chromium, not cross-origin isolated", () => {
    it("asked for 2 threads, it runs on 1, says the page is not cross-origin isolated, and a GRU trains as in float64", async () => {
      expect((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated).toBe(false);
      expect(typeof SharedArrayBuffer).toBe("undefined");
      const backend = createWasmBackend({ threads: 2, parallelMinFlops: 0, parallelMinElements: 0 });
      try {
        const threading = await backend.threading();
        expect(threading).toMatchObject({ requested: 2, threads: 1, shared: false });
        expect(threading.reason).toMatch(/not cross-origin isolated/);
        await expectTrainsLikeFloat64(backend);
        expect(threading.waits().jobs).toBe(0);
      } finally {
        await backend.dispose();
      }
    });
  });
else it.skip("wasm in Chromium, not cross-origin isolated (skipped: not in a browser; apt-get install -y chromium)", () => {});
