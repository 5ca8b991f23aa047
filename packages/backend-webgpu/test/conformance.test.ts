import { it } from "vitest";
import { describeBackend } from "@unroll/backend-conformance";
import { createWebGpuBackend, navigatorGpu } from "../src/index.js";

// The whole kit, in Chromium on WebGPU (vitest's browser mode: see vitest.config.ts).
if (navigatorGpu()) describeBackend("webgpu", () => createWebGpuBackend());
else it.skip("backend conformance: webgpu (skipped: no navigator.gpu here; the tests run in Chromium, apt-get install -y chromium)", () => {});
