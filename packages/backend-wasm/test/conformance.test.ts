import { describeBackend } from "@unroll/backend-conformance";
import { createWasmBackend } from "../src/index.js";

// The whole kit on two threads, with every product and every elementwise kernel split
// (the kit's are small: the default thresholds would keep them all on one thread).
describeBackend("wasm, 2 threads", () => createWasmBackend({ threads: 2, parallelMinFlops: 0, parallelMinElements: 0 }));
