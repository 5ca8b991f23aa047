import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDemo } from "./run-demo.js";

const dir = mkdtempSync(join(tmpdir(), "unroll-demo-ckpt-"));
const small = ["--hidden", "16", "--batch", "4", "--window", "8", "--seed", "3", "--sample-every", "0"];
const read = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));
const ok = (args: string[]) => {
  const r = runDemo([...args, "--report", join(dir, "r.html")], dir);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r;
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("checkpoints", () => {
  it("resume after K steps + train M more equals K+M steps straight, exactly", () => {
    ok([...small, "--steps", "5", "--save", join(dir, "k.json")]);
    ok(["--resume", join(dir, "k.json"), "--steps", "4", "--save", join(dir, "resumed.json")]);
    ok([...small, "--steps", "9", "--save", join(dir, "straight.json")]);
    const resumed = read("resumed.json");
    const straight = read("straight.json");
    expect(resumed.step).toBe(9);
    expect(resumed.position).toBe(straight.position);
    expect(resumed.params).toEqual(straight.params);
    expect(resumed.optimizer).toEqual(straight.optimizer);
    expect(resumed.state).toEqual(straight.state);
    expect(resumed.losses).toEqual(straight.losses);
  });

  it("--sample N prints N characters, the same for the same seed", () => {
    const a = ok(["--resume", join(dir, "straight.json"), "--sample", "120", "--seed", "7"]).stdout;
    const b = ok(["--resume", join(dir, "straight.json"), "--sample", "120", "--seed", "7"]).stdout;
    const c = ok(["--resume", join(dir, "straight.json"), "--sample", "120", "--seed", "8"]).stdout;
    expect(Array.from(a.replace(/\n$/, ""))).toHaveLength(120);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it("refuses settings that differ from the checkpoint's", () => {
    const r = runDemo(["--resume", join(dir, "k.json"), "--hidden", "32", "--steps", "1"], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--hidden 32 differs from the checkpoint's 16");
  });
});
