import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createRng } from "@unroll/bptt";
import { readSnapshot } from "../src/snapshot-file.js";

// Kill -9 a training run at random moments, many times, some of them while it
// writes its snapshot; each time the snapshot must be whole, and resuming from
// it must end with the weights of a run that was never killed, bit for bit.
const root = fileURLToPath(new URL("../../..", import.meta.url));
const built = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const source = fileURLToPath(new URL("../src/main.ts", import.meta.url));
// the built CLI starts in a fraction of tsx's time; CI builds before testing, and without a build the source runs
const cli = existsSync(built) ? [built] : ["--conditions=source", "--import", "tsx", source];

const dir = mkdtempSync(join(tmpdir(), "unroll-kill-"));
const path = (name: string): string => join(dir, name);
const T = 8;
const B = 2;
const next = createRng(5);
// 160 hidden units: ~26k weights, each with Adam's two moments, so each snapshot is ~1.7 MB and its write takes measurable time
writeFileSync(path("model.json"), JSON.stringify({ input: 1, layers: [{ cell: "rnn", hidden: 160 }], head: { units: 1, activation: "linear" }, loss: "mse" }));
const column = () => Array.from({ length: T }, () => Array.from({ length: B }, () => [2 * next() - 1]));
writeFileSync(path("data.json"), JSON.stringify({ x: column(), y: column() }));
// truncated BPTT(1, 1) over 2 minibatches, 5 epochs: 80 optimizer steps
const settings = ["--optimizer", "adam", "--lr", "0.001", "--truncate", "1", "--batch-size", "1", "--epochs", "5", "--dtype", "float64", "--quiet"];
const train = (...more: string[]): string[] => [...cli, "train", "--model", path("model.json"), "--data", path("data.json"), ...settings, ...more];
const snapshot = path("snap.json");
const TOTAL = 80;
const KILLS = 22;

/** Temporary files write-file-atomic leaves beside the snapshot while writing it (`snap.json.<hash>`). */
const tempFiles = (): string[] => readdirSync(dir).filter((f) => f.startsWith(basename(snapshot) + "."));

/** The snapshot's inode and time, which change with each rename over it. */
const version = (): string => (existsSync(snapshot) ? `${statSync(snapshot).ino}:${statSync(snapshot).mtimeMs}` : "");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the exit code, or the signal's name, when the process ends. */
const ended = (child: ChildProcess) => new Promise<string>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? String(code))));

describe("unroll train --snapshot, killed and resumed", () => {
  it(`survives ${KILLS} kills -9 at random moments, some during a snapshot write, and ends bit-identical`, { timeout: 180_000 }, async () => {
    const uninterrupted = spawnSync(process.execPath, train("--seed", "3", "--save", path("whole.json"), "--log", path("whole.log")), {
      cwd: root,
      encoding: "utf8",
    });
    expect(uninterrupted.stderr).toBe("");
    expect(uninterrupted.status).toBe(0);

    let kills = 0;
    let duringWrite = 0;
    let steps = 0;
    const delay = createRng(17);
    for (let run = 0; kills < KILLS; run++) {
      const resume = run === 0 ? ["--seed", "3"] : ["--resume", snapshot];
      const child = spawn(
        process.execPath,
        train(...resume, "--snapshot", snapshot, "--snapshot-every", "1", "--save", path("killed.json"), "--log", path("killed.log")),
        {
          cwd: root,
          stdio: "ignore",
        },
      );
      const exit = ended(child);
      let exited = false;
      void exit.then(() => (exited = true));
      // wait for a new snapshot, so that every run gets at least one step further
      const newSnapshot = async (): Promise<number> => {
        const before = version();
        while (version() === before && !exited) await sleep(1);
        return performance.now();
      };
      await newSnapshot();
      if (delay() < 0.3) {
        // aim at a write: kill as soon as the next snapshot's temporary file appears
        while (tempFiles().length === 0 && !exited) await sleep(0);
      } else {
        // a random moment within the time one step and its snapshot take
        const a = performance.now();
        const interval = (await newSnapshot()) - a;
        await sleep(delay() * interval);
      }
      if (exited) break;
      child.kill("SIGKILL");
      expect(await exit).toBe("SIGKILL");
      kills++;
      // a kill during a write leaves write-file-atomic's temporary file behind, the snapshot itself whole
      const temps = tempFiles();
      if (temps.length > 0) duringWrite++;
      for (const t of temps) rmSync(path(t));
      const s = readSnapshot(snapshot);
      expect(s.trainer.steps).toBeGreaterThan(steps);
      steps = s.trainer.steps;
    }
    expect(kills).toBe(KILLS);
    expect(duringWrite).toBeGreaterThan(0);
    expect(steps).toBeLessThan(TOTAL);

    const last = spawnSync(process.execPath, train("--resume", snapshot, "--snapshot", snapshot, "--save", path("killed.json"), "--log", path("killed.log")), {
      cwd: root,
      encoding: "utf8",
    });
    expect(last.stderr).toBe("");
    expect(last.status).toBe(0);
    expect(readFileSync(path("killed.json"), "utf8")).toBe(readFileSync(path("whole.json"), "utf8"));
    expect(readSnapshot(snapshot).trainer.steps).toBe(TOTAL);
    // the log has one line per step, as the uninterrupted run's (timings apart)
    const lines = (log: string) =>
      readFileSync(path(log), "utf8")
        .trim()
        .split("\n")
        .map((l) => {
          const { seconds: _, ...rest } = JSON.parse(l) as Record<string, unknown>;
          return rest;
        });
    expect(lines("killed.log")).toEqual(lines("whole.log"));
    process.stdout.write(`${kills} kills, ${duringWrite} during a snapshot write\n`);
    rmSync(dirname(snapshot), { recursive: true, force: true });
  });
});
