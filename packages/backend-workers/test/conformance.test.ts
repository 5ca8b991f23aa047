import { describeBackend } from "@unroll/backend-conformance";
import { createWorkerBackend } from "../src/index.js";

describeBackend("workers", () => createWorkerBackend({ workers: 2 }));
