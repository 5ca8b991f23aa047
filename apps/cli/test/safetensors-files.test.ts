import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeSafetensors, encodeSafetensors, readSafetensorsHeader } from "@unroll/interop";
import type { Tensor } from "@unroll/ir";
import { runCliInProcess as inProcess } from "./run-cli.js";

// Weights, snapshots and data as safetensors, chosen by the extension: the same numbers as their JSON files.
const dir = mkdtempSync(join(tmpdir(), "unroll-safetensors-"));
const path = (name: string): string => join(dir, name);
const model = {
  input: 2,
  layers: [
    { cell: "lstm", hidden: 3 },
    { cell: "gru", hidden: 2, bidirectional: true },
  ],
  head: { units: 1, activation: "linear" },
  loss: "mse",
};
const x = [
  [
    [0.5, -1],
    [1, 0.25],
  ],
  [
    [-0.5, 2],
    [0, 1],
  ],
  [
    [1.5, 0.5],
    [-1, -1],
  ],
];
const y = [
  [[0.1], [0.2]],
  [[0.3], [-0.4]],
  [[0.5], [0.6]],
];
const data = {
  x,
  y,
  lengths: [3, 2],
  initialState: {
    "layers.0.h": [
      [0.1, 0.2, 0.3],
      [-0.1, 0, 0.1],
    ],
  },
};
const train = ["train", "--model", path("model.json"), "--data", path("data.json"), "--optimizer", "adam", "--lr", "0.01", "--seed", "3", "--quiet"];

const f64 = (shape: number[], values: number[]): Tensor => ({ shape, data: new Float64Array(values) });
const ok = async (args: string[]): Promise<string> => {
  const r = await inProcess(args);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
};
const fails = async (args: string[]): Promise<string> => {
  const r = await inProcess(args);
  expect(r.status).toBe(2);
  return r.stderr;
};
const run = (weights: string, dtype: string, dataFile = "data.json"): Promise<string> =>
  ok(["run", "--model", path("model.json"), "--data", path(dataFile), "--weights", path(weights), "--dtype", dtype, "--out", "-", "--quiet"]);

beforeAll(async () => {
  writeFileSync(path("model.json"), JSON.stringify(model));
  writeFileSync(path("data.json"), JSON.stringify(data));
  // weights that the checks of weights and data files start from
  await ok([...train, "--dtype", "float64", "--epochs", "1", "--save", path("d.json")]);
  await ok([...train, "--dtype", "float64", "--epochs", "1", "--save", path("d.safetensors")]);
});

describe("--save and --weights W.safetensors", () => {
  for (const dtype of ["float64", "float32"]) {
    it(`train saves the same ${dtype} weights as JSON, and run with them gives the same outputs`, async () => {
      await ok([...train, "--dtype", dtype, "--epochs", "2", "--save", path(`w-${dtype}.json`)]);
      await ok([...train, "--dtype", dtype, "--epochs", "2", "--save", path(`w-${dtype}.safetensors`)]);
      const json = JSON.parse(readFileSync(path(`w-${dtype}.json`), "utf8")) as Record<string, unknown>;
      const bytes = new Uint8Array(readFileSync(path(`w-${dtype}.safetensors`)));
      // the file keeps the run's precision
      expect(new Set(readSafetensorsHeader(bytes).entries.map((e) => e.dtype))).toEqual(new Set([dtype === "float64" ? "F64" : "F32"]));
      const { tensors } = decodeSafetensors(bytes, { dtype: "float64" });
      expect(Object.keys(tensors).sort()).toEqual(Object.keys(json).sort());
      for (const [name, t] of Object.entries(tensors)) expect([...t.data], name).toEqual((json[name] as number[] | number[][]).flat());
      // JSON's shortest round-trip decimals and the binary file hold the same numbers: the outputs are identical
      const fromSafetensors = await run(`w-${dtype}.safetensors`, dtype);
      expect(fromSafetensors).toBe(await run(`w-${dtype}.json`, dtype));
      expect(JSON.parse(fromSafetensors).outputs).toHaveLength(3);
    });
  }

  it("starts training from safetensors weights as from the same JSON ones", async () => {
    const args = train.filter((a, i) => a !== "--seed" && train[i - 1] !== "--seed");
    // the same start as JSON: d.safetensors decoded, written as nested arrays
    const start = decodeSafetensors(new Uint8Array(readFileSync(path("d.safetensors"))), { dtype: "float64" }).tensors;
    const nested = Object.fromEntries(Object.entries(start).map(([k, t]) => [k, t.shape.length === 2 ? chunk([...t.data], t.shape[1]) : [...t.data]]));
    writeFileSync(path("start.json"), JSON.stringify(nested));
    expect(readFileSync(path("start.json"), "utf8")).toBe(readFileSync(path("d.json"), "utf8").trim());
    await ok([...args, "--dtype", "float64", "--epochs", "1", "--weights", path("d.safetensors"), "--save", path("next-a.json")]);
    await ok([...args, "--dtype", "float64", "--epochs", "1", "--weights", path("start.json"), "--save", path("next-b.json")]);
    expect(readFileSync(path("next-a.json"), "utf8")).toBe(readFileSync(path("next-b.json"), "utf8"));
  });

  it("refuses weights that do not fit the model, naming the file and the parameter", async () => {
    const good = decodeSafetensors(new Uint8Array(readFileSync(path("d.safetensors"))), { dtype: "float64" }).tensors;
    const { ["head.b"]: _, ...missing } = good;
    writeFileSync(path("missing.safetensors"), encodeSafetensors(missing));
    expect(await fails(["run", "--model", path("model.json"), "--data", path("data.json"), "--weights", path("missing.safetensors"), "--out", "-"])).toBe(
      `unroll: ${path("missing.safetensors")}: parameter "head.b" is missing; expected shape [1]\n`,
    );
    writeFileSync(path("nan.safetensors"), encodeSafetensors({ ...good, "head.b": f64([1], [NaN]) }));
    expect(await fails(["run", "--model", path("model.json"), "--data", path("data.json"), "--weights", path("nan.safetensors"), "--out", "-"])).toContain(
      `${path("nan.safetensors")}: head.b element 0 is NaN; only finite numbers are allowed`,
    );
    writeFileSync(path("cut.safetensors"), readFileSync(path("d.safetensors")).subarray(0, 100));
    expect(await fails(["run", "--model", path("model.json"), "--data", path("data.json"), "--weights", path("cut.safetensors"), "--out", "-"])).toMatch(
      /cut\.safetensors: safetensors: .*(claims|run past|cover)/,
    );
  });
});

describe("--data D.safetensors", () => {
  /** DATA as tensors: x, y as F64 (or given), lengths as I64, initialState.<state>. */
  function writeData(name: string, tensors: Record<string, Tensor>, dtype: Record<string, "F32" | "F64" | "I64"> = {}): void {
    writeFileSync(path(name), encodeSafetensors(tensors, { dtype }));
  }
  const asTensors = (): Record<string, Tensor> => ({
    x: f64([3, 2, 2], x.flat(2)),
    y: f64([3, 2, 1], y.flat(2)),
    lengths: f64([2], data.lengths),
    "initialState.layers.0.h": f64([2, 3], data.initialState["layers.0.h"].flat()),
  });

  it("run and grad give the same numbers as with the JSON data", async () => {
    writeData("data.safetensors", asTensors(), { lengths: "I64" });
    expect(await run("d.json", "float64", "data.safetensors")).toBe(await run("d.json", "float64", "data.json"));
    const grad = (d: string) =>
      ok(["grad", "--model", path("model.json"), "--data", path(d), "--weights", path("d.json"), "--dtype", "float64", "--out", "-", "--quiet"]);
    expect(await grad("data.safetensors")).toBe(await grad("data.json"));
  });

  it("trains with --val-data as safetensors", async () => {
    writeData("val.safetensors", asTensors());
    const r = await inProcess(
      [...train, "--dtype", "float64", "--epochs", "1", "--val-data", path("val.safetensors"), "--save", path("v.json")].filter((a) => a !== "--quiet"),
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/epoch 1\/1: loss [\d.]+ .*val_loss [\d.]+/);
  });

  it("reads token ids stored as integers for an embedding", async () => {
    const emb = {
      input: 5,
      embedding: { vocab: 5, units: 2 },
      layers: [{ cell: "gru", hidden: 2 }],
      head: { units: 5, activation: "softmax" },
      loss: "cross_entropy",
    };
    writeFileSync(path("emb.json"), JSON.stringify(emb));
    const ids = [
      [0, 4],
      [3, 1],
    ];
    const targets = [
      [4, 3],
      [1, 0],
    ];
    writeFileSync(path("emb-data.json"), JSON.stringify({ x: ids, y: targets }));
    writeData("emb-data.safetensors", { x: f64([2, 2], ids.flat()), y: f64([2, 2], targets.flat()) }, { x: "I64", y: "I64" });
    await ok([
      "train",
      "--model",
      path("emb.json"),
      "--data",
      path("emb-data.json"),
      "--optimizer",
      "sgd",
      "--lr",
      "0.1",
      "--seed",
      "1",
      "--epochs",
      "1",
      "--save",
      path("emb-w.safetensors"),
      "--quiet",
    ]);
    const runEmb = (d: string) => ok(["run", "--model", path("emb.json"), "--data", path(d), "--weights", path("emb-w.safetensors"), "--out", "-", "--quiet"]);
    expect(await runEmb("emb-data.safetensors")).toBe(await runEmb("emb-data.json"));
    // ids are checked as in JSON
    writeData("bad-ids.safetensors", { x: f64([2, 2], [0, 4, 5, 1]), y: f64([2, 2], targets.flat()) }, { x: "I64", y: "I64" });
    expect(
      await fails(["run", "--model", path("emb.json"), "--data", path("bad-ids.safetensors"), "--weights", path("emb-w.safetensors"), "--out", "-"]),
    ).toContain(`${path("bad-ids.safetensors")}: x[1][0] (step 1, row 0) is 5, but token ids must be integers from 0 to 4`);
  });

  it("goes through the JSON data's checks: shapes, unknown tensors, lengths, states", async () => {
    const cmd = (d: string) => ["run", "--model", path("model.json"), "--data", path(d), "--weights", path("d.json"), "--out", "-"];
    writeData("bad-shape.safetensors", { ...asTensors(), y: f64([3, 2, 2], new Array(12).fill(0)) });
    expect(await fails(cmd("bad-shape.safetensors"))).toContain(`field "y" has shape [3, 2, 2] but the model expects [3, 2, 1]`);
    writeData("extra.safetensors", { ...asTensors(), z: f64([1], [0]) });
    expect(await fails(cmd("extra.safetensors"))).toContain(`field "z" is not used by this model`);
    writeData("long.safetensors", { ...asTensors(), lengths: f64([2], [4, 1]) }, { lengths: "I64" });
    expect(await fails(cmd("long.safetensors"))).toContain("lengths[0] is 4; each length must be an integer from 0 to 3");
    writeData("state.safetensors", { ...asTensors(), "initialState.layers.9.h": f64([2, 3], new Array(6).fill(0)) });
    expect(await fails(cmd("state.safetensors"))).toContain(`initialState."layers.9.h" is not a state of this model`);
    writeData("inf.safetensors", { ...asTensors(), x: f64([3, 2, 2], [...x.flat(2).slice(0, 11), Infinity]) });
    expect(await fails(cmd("inf.safetensors"))).toContain("x element 11 is Infinity; only finite numbers are allowed");
  });

  it("is refused above --max-memory before its tensors are read", async () => {
    // 300,000 float64 numbers declared: 2.3 MiB, the file itself 1.2 MiB as F32
    writeData("big.safetensors", { x: { shape: [50_000, 3, 2], data: new Float32Array(300_000) } });
    const err = await fails([
      "run",
      "--model",
      path("model.json"),
      "--data",
      path("big.safetensors"),
      "--weights",
      path("d.json"),
      "--dtype",
      "float64",
      "--max-memory",
      "2",
      "--out",
      "-",
    ]);
    expect(err).toContain('tensor "x": the data need 2.29 MiB (300,000 numbers in float64), above the memory budget of 2.00 MiB');
  });
});

describe("--snapshot S.safetensors", () => {
  const base = [...train, "--dtype", "float32", "--batch-size", "1"];
  const resumeArgs = [...base.filter((a, i) => a !== "--seed" && base[i - 1] !== "--seed"), "--epochs", "3"];
  beforeAll(async () => {
    await ok([...base, "--epochs", "3", "--save", path("straight.safetensors")]);
    await ok([...base, "--epochs", "1", "--save", path("half.json"), "--snapshot", path("snap.safetensors")]);
    await ok([...base, "--epochs", "1", "--save", path("half-json.json"), "--snapshot", path("snap.json")]);
  });

  it("resumes to the same weights as an uninterrupted run, and as a JSON snapshot", async () => {
    await ok([...resumeArgs, "--resume", path("snap.safetensors"), "--save", path("resumed.safetensors")]);
    expect(readFileSync(path("resumed.safetensors"))).toEqual(readFileSync(path("straight.safetensors")));
    await ok([...resumeArgs, "--resume", path("snap.json"), "--save", path("resumed-json.safetensors")]);
    expect(readFileSync(path("resumed-json.safetensors"))).toEqual(readFileSync(path("straight.safetensors")));
    // the body holds the parameters (float32) and adam's buffers (float64); the rest is JSON in the metadata
    const { entries, metadata } = readSafetensorsHeader(new Uint8Array(readFileSync(path("snap.safetensors"))));
    expect(entries.find((e) => e.name === "trainer.params.head.W")?.dtype).toBe("F32");
    expect(entries.find((e) => e.name === "trainer.optimizer.buffers.m.head.W")?.dtype).toBe("F64");
    expect(JSON.parse(metadata.document).format).toBe("unroll-snapshot");
  });

  it("refuses a damaged safetensors snapshot, or a file that is not one", async () => {
    const bytes = readFileSync(path("snap.safetensors"));
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 3] ^= 0x40; // one bit of the last tensor
    writeFileSync(path("flipped.safetensors"), flipped);
    expect(await fails([...resumeArgs, "--resume", path("flipped.safetensors"), "--save", path("x.json")])).toBe(
      `unroll: ${path("flipped.safetensors")} is corrupt: its content does not match its digest\n`,
    );
    writeFileSync(path("short.safetensors"), bytes.subarray(0, bytes.length - 8));
    expect(await fails([...resumeArgs, "--resume", path("short.safetensors"), "--save", path("x.json")])).toContain(
      `${path("short.safetensors")} is truncated or corrupt: safetensors:`,
    );
    writeFileSync(path("weights-not-snapshot.safetensors"), readFileSync(path("d.safetensors")));
    expect(await fails([...resumeArgs, "--resume", path("weights-not-snapshot.safetensors"), "--save", path("x.json")])).toBe(
      `unroll: ${path("weights-not-snapshot.safetensors")} is not an unroll snapshot: its format is not "unroll-snapshot"\n`,
    );
  });
});

function chunk(values: number[], width: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < values.length; i += width) rows.push(values.slice(i, i + width));
  return rows;
}
