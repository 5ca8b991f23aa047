import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { decodeSafetensors } from "@unroll/interop";
import { runCliInProcess } from "./run-cli.js";

// unroll export and unroll import end to end: the files they write run elsewhere (ONNX Runtime) or come back with
// the same numbers. The converters' own tests (packages/interop) cover every cell and op; these cover the commands.
const dir = mkdtempSync(join(tmpdir(), "unroll-interop-"));
const path = (name: string): string => join(dir, name);
const write = (name: string, value: unknown): string => {
  writeFileSync(path(name), JSON.stringify(value));
  return path(name);
};

async function unroll(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { status, stdout, stderr } = await runCliInProcess(args);
  return { code: status, stdout, stderr };
}

async function ok(...args: string[]): Promise<string> {
  const r = await unroll(...args);
  expect(r.stderr.startsWith("unroll:") ? r.stderr : "", `unroll ${args.join(" ")}`).toBe("");
  expect(r.code).toBe(0);
  return r.stderr;
}

const [T, B, I] = [7, 3, 2];
const x = [...Array(T)].map((_, t) => [...Array(B)].map((_, b) => [Math.sin(0.7 * t + b), Math.cos(0.3 * t - b)]));
const y = x.map((row) => row.map(([a, c]) => [a * c]));
const lengths = [7, 4, 1];
const data = write("data.json", { x, y, lengths });
const spec = write("model.json", {
  format: "unroll.model/1",
  input: I,
  layers: [
    { cell: "lstm", hidden: 4 },
    { cell: "gru", hidden: 3, bidirectional: true },
  ],
  head: { units: 1, activation: "tanh" },
  loss: "mse",
});
const trained = path("weights.json");

const runOutputs = async (model: string, weights: string, dataFile = data): Promise<number[]> => {
  await ok("run", "--model", model, "--weights", weights, "--data", dataFile, "--out", path("run.json"), "--quiet");
  return (JSON.parse(readFileSync(path("run.json"), "utf8")).outputs as number[][][]).flat(2);
};
const expectClose = (a: ArrayLike<number>, b: ArrayLike<number>, tolerance: number): void => {
  expect(a.length).toBe(b.length);
  const gap = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
  expect(gap).toBeLessThan(tolerance);
};

describe("unroll export and import", () => {
  it("exports ONNX that ONNX Runtime runs to unroll's outputs, with lengths, and imports it back", async () => {
    await ok("train", "--model", spec, "--data", data, "--seed", "3", "--optimizer", "adam", "--lr", "0.05", "--epochs", "3", "--save", trained, "--quiet");
    const said = await ok("export", "--model", spec, "--weights", trained, "--format", "onnx", "--lengths", "--out", path("model.onnx"));
    expect(said).toMatch(/^export: .*model\.onnx \(ONNX opset 17, float32\): ops .*LSTM.*GRU/);
    const session = await ort.InferenceSession.create(path("model.onnx"));
    const result = await session.run({
      x: new ort.Tensor("float32", Float32Array.from(x.flat(2)), [T, B, I]),
      sequence_lens: new ort.Tensor("int32", Int32Array.from(lengths), [B]),
    });
    const ours = await runOutputs(spec, trained);
    expectClose(result.output.data as Float32Array, ours, 1e-5);

    await ok("import", "--from", path("model.onnx"), "--out-model", path("imported.json"), "--out-weights", path("imported.json.w.json"));
    expectClose(await runOutputs(path("imported.json"), path("imported.json.w.json"), write("x-only.json", { x, lengths })), ours, 1e-6);
  });

  it("exports a step graph as ONNX Scan and imports it back", async () => {
    const graph = write("graph.json", {
      format: "unroll.graph/1",
      name: "elman",
      xs: [{ id: "x", shape: ["B", 2] }],
      params: [
        { id: "W_in", shape: [2, 3] },
        { id: "W_re", shape: [3, 3] },
        { id: "W_out", shape: [3, 1] },
      ],
      carry: [{ id: "h", shape: ["B", 3] }],
      nodes: [
        { id: "xw", op: "matmul", inputs: ["x", "W_in"] },
        { id: "hw", op: "matmul", inputs: ["h", "W_re"] },
        { id: "u", op: "add", inputs: ["xw", "hw"] },
        { id: "h_next", op: "tanh", inputs: ["u"] },
        { id: "out", op: "matmul", inputs: ["h_next", "W_out"] },
      ],
      ys: [{ id: "output", value: "out" }],
      update: { h: "h_next" },
    });
    const weights = write("graph-weights.json", {
      W_in: [
        [0.5, -0.25, 0.1],
        [0.3, 0.2, -0.4],
      ],
      W_re: [
        [0.1, 0.2, 0.3],
        [-0.2, 0.1, 0],
        [0.05, -0.1, 0.2],
      ],
      W_out: [[1], [-0.5], [0.25]],
    });
    const xOnly = write("x.json", { x, lengths });
    await ok("export", "--model", graph, "--weights", weights, "--format", "onnx", "--lengths", "--out", path("graph.onnx"));
    const session = await ort.InferenceSession.create(path("graph.onnx"));
    const result = await session.run({
      x: new ort.Tensor("float32", Float32Array.from(x.flat(2)), [T, B, I]),
      sequence_lens: new ort.Tensor("int32", Int32Array.from(lengths), [B]),
    });
    const ours = await runOutputs(graph, weights, xOnly);
    expectClose(result.output.data as Float32Array, ours, 1e-5);
    await ok("import", "--from", path("graph.onnx"), "--out-model", path("graph-back.json"), "--out-weights", path("graph-back.safetensors"));
    expectClose(await runOutputs(path("graph-back.json"), path("graph-back.safetensors"), xOnly), ours, 1e-6);
  });

  it("exports a PyTorch module with its state_dict, and PyTorch's nn.GRU state_dict that imports back to the same model", async () => {
    const gru = write("gru.json", {
      input: I,
      layers: [{ cell: "gru", hidden: 5, bidirectional: true }],
      head: { units: 1, activation: "linear" },
      loss: "mse",
    });
    const weights = path("gru-weights.safetensors");
    await ok("train", "--model", gru, "--data", data, "--seed", "1", "--optimizer", "sgd", "--lr", "0.1", "--epochs", "1", "--save", weights, "--quiet");
    const said = await ok("export", "--model", gru, "--weights", weights, "--format", "torch", "--out", path("gru_model.py"));
    expect(said).toContain(`PyTorch nn.Module GruModel) and its state_dict ${path("gru_model.safetensors")}`);
    expect(readFileSync(path("gru_model.py"), "utf8")).toMatch(/^class GruModel\(nn\.Module\):$/m);
    const ours = decodeSafetensors(readFileSync(weights)).tensors;
    const module = decodeSafetensors(readFileSync(path("gru_model.safetensors"))).tensors;
    expect(Object.keys(module).sort()).toEqual(Object.keys(ours).sort());
    for (const name of Object.keys(ours)) expect(Array.from(module[name].data as Float32Array), name).toEqual(Array.from(ours[name].data as Float32Array));

    const stateDict = path("gru-state.safetensors");
    expect(await ok("export", "--model", gru, "--weights", weights, "--format", "safetensors", "--out", stateDict)).toContain(
      "the state_dict of rnn: nn.GRU(2, 5, num_layers=1, bidirectional=True), head: nn.Linear(10, 1) then linear",
    );
    expect(Object.keys(decodeSafetensors(readFileSync(stateDict)).tensors)).toContain("rnn.weight_ih_l0_reverse");
    await ok(
      "import",
      "--from",
      stateDict,
      "--torch",
      "gru",
      "--loss",
      "mse",
      "--out-model",
      path("gru-back.json"),
      "--out-weights",
      path("gru-back.json.w.safetensors"),
    );
    const back = decodeSafetensors(readFileSync(path("gru-back.json.w.safetensors"))).tensors;
    for (const name of Object.keys(ours)) expect(Array.from(back[name].data as Float32Array), name).toEqual(Array.from(ours[name].data as Float32Array));
    expect(await runOutputs(path("gru-back.json"), path("gru-back.json.w.safetensors"))).toEqual(await runOutputs(gru, weights));
  });

  it("refuses options that do not fit, naming them", async () => {
    const refused = async (...args: string[]): Promise<string> => {
      const r = await unroll(...args);
      expect(r.code).toBe(2);
      return r.stderr.trim();
    };
    const graph = path("graph.json");
    expect(await refused("export", "--model", graph, "--weights", path("graph-weights.json"), "--format", "safetensors", "--out", path("g.safetensors"))).toBe(
      `unroll: ${graph}: --format safetensors writes the state_dict of PyTorch's nn.RNN/nn.LSTM/nn.GRU, which needs a model spec of built-in cells; for a step graph or program use --format torch`,
    );
    expect(await refused("export", "--model", spec, "--weights", trained, "--format", "torch", "--lengths", "--out", path("m.py"))).toBe(
      "unroll: --lengths, --initial-states and --cells apply to --format onnx, not torch",
    );
    expect(await refused("import", "--from", path("gru-state.safetensors"), "--out-model", path("a.json"), "--out-weights", path("b.json"))).toBe(
      `unroll: ${path("gru-state.safetensors")}: a safetensors state_dict needs --torch rnn|lstm|gru (the module it belongs to)`,
    );
    expect(await refused("import", "--from", path("model.onnx"), "--layers", "2", "--out-model", path("a.json"), "--out-weights", path("b.json"))).toBe(
      "unroll: --layers applies to --torch (a PyTorch state_dict), not to an ONNX model",
    );
    expect(
      await refused("import", "--from", path("gru-state.safetensors"), "--torch", "lstm", "--out-model", path("a.json"), "--out-weights", path("b.json")),
    ).toMatch(
      /gru-state\.safetensors: key "rnn\.weight_hh_l0" has shape \[15, 5\], but an nn\.LSTM's is \[4 × hidden, hidden\] \(it is an nn\.GRU's, 3 × 5\)$/,
    );
  });
});
