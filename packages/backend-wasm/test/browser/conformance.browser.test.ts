import { describe, expect, it } from "vitest";
import { describeBackend } from "@unroll/backend-conformance";
import { createWasmBackend } from "../../src/index.js";
import { expectTrainsLikeFloat64 } from "./train-small.js";

// The whole kit in Chromium, on a cross-origin isolated page (vitest.config.ts sends COOP and COEP): the memory is a
// shared WebAssembly.Memory and the second thread a blob-URL Web Worker. Every product and elementwise kernel is split,
// as in the Node run. Off CI without chromium this file runs in Node and skips itself.
const inBrowser = typeof (globalThis as { window?: unknown }).window !== "undefined";

if (inBrowser) {
  describe("wasm in Chromium, cross-origin isolated", () => {
    it("the page is cross-origin isolated, the backend runs on 2 threads, and a GRU trains as in float64", async () => {
      expect((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated).toBe(true);
      const backend = createWasmBackend({ threads: 2, parallelMinFlops: 0, parallelMinElements: 0 });
      try {
        const threading = await backend.threading();
        expect(threading).toMatchObject({ requested: 2, threads: 2, shared: true });
        expect(threading.reason).toBeUndefined();
        await expectTrainsLikeFloat64(backend);
        expect(threading.waits().jobs, "kernels split across the Web Worker").toBeGreaterThan(0);
      } finally {
        await backend.dispose();
      }
    });
  });
  describeBackend("wasm, 2 threads, Chromium", () => createWasmBackend({ threads: 2, parallelMinFlops: 0, parallelMinElements: 0 }));
} else it.skip("wasm in Chromium (skipped: not in a browser; apt-get install -y chromium)", () => {});
