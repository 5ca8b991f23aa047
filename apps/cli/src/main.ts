import { reportFailure, runUnroll } from "./cli.js";

// a failure outside the awaited call chain (a stray rejection or a throw in a callback) is still one line, not a stack trace
const fail = (e: unknown): void => {
  process.exitCode = reportFailure(e) || 1;
  process.exit();
};
// `unroll run --out - | head`: the reader has gone, so stop quietly as Unix tools do, instead of reporting a defect
process.stdout.on("error", (e: NodeJS.ErrnoException) => (e.code === "EPIPE" ? process.exit() : fail(e)));
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

process.exitCode = await runUnroll(process.argv.slice(2));
