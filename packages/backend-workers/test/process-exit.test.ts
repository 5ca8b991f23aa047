import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("nothing keeps the process alive", () => {
  it("a script that never disposes the backend still exits once its work is done", () => {
    const script = fileURLToPath(new URL("./fixtures/no-dispose.ts", import.meta.url));
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ["--import", "tsx", "--conditions=source", script], { encoding: "utf8", timeout: 20_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("ran 15 rows\n");
    expect(r.status).toBe(0);
    expect(performance.now() - t0).toBeLessThan(15_000);
  });
});
