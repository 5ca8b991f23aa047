import { describeBackend } from "@unroll/backend-conformance";
import { createCpuBackend } from "../src/index.js";

describeBackend("cpu", () => createCpuBackend());
