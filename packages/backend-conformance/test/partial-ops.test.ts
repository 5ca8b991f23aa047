import { describeBackend } from "../src/index.js";
import { cpuWithout } from "./support/wrappers.js";

// The whole suite on a backend without sigmoid, whose sigmoid kernel throws: a test that is not skipped and runs sigmoid anyway fails here.
describeBackend("cpu without sigmoid", () => cpuWithout("sigmoid"));
