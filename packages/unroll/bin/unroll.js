#!/usr/bin/env node
// The `unroll` command: runs the compiled CLI of @unroll/cli (in the repository, `npm run build` first).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = import.meta.resolve("@unroll/cli/main");
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write("unroll: the CLI is not built yet; run `npm run build` in the repository root first.\n");
  process.exit(2);
}
await import(main);
