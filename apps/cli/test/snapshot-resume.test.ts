import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

// --resume refuses a snapshot of another model, data or settings, and one that
// is corrupt, truncated or of another version: exit 2, one line saying which,
// and the snapshot, the --save file and the log left as they were.
const dir = mkdtempSync(join(tmpdir(), "unroll-resume-"));
const path = (name: string): string => join(dir, name);
const model = { input: 1, layers: [{ cell: "rnn", hidden: 2 }], head: { units: 1, activation: "linear" }, loss: "mse" };
const data = { x: [[[1]], [[2]], [[-1]], [[0.5]]], y: [[[0]], [[1]], [[0]], [[1]]] };
const settings = ["--optimizer", "momentum", "--lr", "0.05", "--truncate", "2", "--dtype", "float64", "--quiet"];
const inputs = (m = "model.json", d = "data.json") => ["--model", path(m), "--data", path(d)];
const SAVED = "weights saved before\n";
const LOG = '{"step":1}\n{"step":2}\n';

/** Runs `unroll train --resume` on a copy of the snapshot in `text`, and what it left of the snapshot, --save and --log. */
function resume(text: string, ...args: string[]) {
  writeFileSync(path("snap.json"), text);
  writeFileSync(path("out.json"), SAVED);
  writeFileSync(path("out.log"), LOG);
  const r = runCli(["train", "--resume", path("snap.json"), "--save", path("out.json"), "--log", path("out.log"), "--snapshot", path("snap.json"), ...args]);
  const kept = {
    snapshot: readFileSync(path("snap.json"), "utf8") === text,
    save: readFileSync(path("out.json"), "utf8") === SAVED,
    log: readFileSync(path("out.log"), "utf8") === LOG,
  };
  return { ...r, kept };
}

describe("unroll train --resume refuses", () => {
  let snapshot = "";
  let twoEpochs = "";
  beforeAll(() => {
    writeFileSync(path("model.json"), JSON.stringify(model));
    // the same model in another file, formatted otherwise: the digest is of the content
    writeFileSync(path("same-model.json"), JSON.stringify(model, null, 2));
    writeFileSync(path("other-model.json"), JSON.stringify({ ...model, layers: [{ cell: "gru", hidden: 2 }] }));
    writeFileSync(path("data.json"), JSON.stringify(data));
    writeFileSync(path("other-data.json"), JSON.stringify({ ...data, y: [[[1]], [[1]], [[0]], [[1]]] }));
    const r = runCli(["train", ...inputs(), ...settings, "--seed", "1", "--epochs", "1", "--save", path("first.json"), "--snapshot", path("first-snap.json")]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    snapshot = readFileSync(path("first-snap.json"), "utf8");
    expect(
      runCli(["train", ...inputs(), ...settings, "--seed", "1", "--epochs", "2", "--save", path("two.json"), "--snapshot", path("two-snap.json")]).status,
    ).toBe(0);
    twoEpochs = readFileSync(path("two-snap.json"), "utf8");
  });

  it("nothing when the model, data and settings match (the model from another path), and trains on", () => {
    const r = resume(snapshot, ...inputs("same-model.json"), ...settings, "--epochs", "2");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.kept).toEqual({ snapshot: false, save: false, log: false });
    expect(JSON.parse(readFileSync(path("snap.json"), "utf8")).trainer.steps).toBe(4);
  });

  const same = [...inputs(), ...settings, "--epochs", "2"];
  it.each<[string, string[], (s: string) => string, string]>([
    [
      "another model",
      [...inputs("other-model.json"), ...settings, "--epochs", "2"],
      (s) => s,
      "snap.json was made with another model (its content differs from --model's)",
    ],
    [
      "other data",
      [...inputs("model.json", "other-data.json"), ...settings, "--epochs", "2"],
      (s) => s,
      "snap.json was made with other data (its content differs from --data's)",
    ],
    [
      "other settings",
      [...inputs(), "--optimizer", "momentum", "--lr", "0.1", "--dtype", "float64", "--quiet", "--epochs", "2"],
      (s) => s,
      'snap.json was made with other training settings: lr 0.05 there, 0.1 here; truncation {"kind":"chunked","window":2} there, {"kind":"full"} here',
    ],
    ["a changed number", same, (s) => s.replace(/"steps":2/, '"steps":3'), "snap.json is corrupt: its content does not match its digest"],
    ["a malformed field", same, (s) => s.replace(/"steps":2/, '"steps":-2'), "snap.json is corrupt: trainer.steps: Too small: expected number to be >=0"],
    ["a truncated file", same, (s) => s.slice(0, s.length / 2), "snap.json is truncated or corrupt: not valid JSON"],
    ["another version", same, (s) => s.replace('"version":1', '"version":2'), "snap.json is a version 2 snapshot; this unroll reads version 1"],
    [
      "a snapshot of an older unroll (trainer state version 1, whose loss was a mean of window losses)",
      same,
      (s) => s.replace('"trainer":{"version":2', '"trainer":{"version":1'),
      "snap.json cannot be resumed: trainer state version 1 is not 2: it was written by an older unroll, whose pass loss was the mean of window losses rather than of counted steps; start again from its weights",
    ],
    ["a weights file", same, () => JSON.stringify({ w: [1] }), 'snap.json is not an unroll snapshot: its format is not "unroll-snapshot"'],
    [
      "fewer --epochs than the snapshot has done",
      [...inputs(), ...settings, "--epochs", "1"],
      () => twoEpochs,
      "snap.json is already in epoch 2, past --epochs 1",
    ],
  ])("%s: exit 2 with one line saying so, and writes nothing", (_, args, damage, message) => {
    const text = damage(snapshot);
    const r = resume(text, ...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(message);
    expect(r.kept).toEqual({ snapshot: true, save: true, log: true });
  });

  it("--weights or --seed with --resume", () => {
    const r = resume(snapshot, ...inputs(), ...settings, "--seed", "1");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("unroll: --resume continues from the snapshot's weights: give neither --weights nor --seed with it\n");
    expect(r.kept).toEqual({ snapshot: true, save: true, log: true });
  });
});
