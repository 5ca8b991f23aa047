import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initParams } from "@unroll/bptt";
import { loadProgram, type ModelSpec } from "@unroll/ir";
import { readWeights, writeWeights } from "@unroll/cli";
import { median, peakRssMb } from "./stats.js";

/**
 * F1: save and load a model's weights with the CLI's own WEIGHTS writer and reader
 * (`--save` / `--weights`): JSON against safetensors, each format in its own process.
 * One LSTM layer and a linear head, float32: 4,985,088 parameters (--quick: 460,544).
 */
export const WEIGHTS_FILE_CASE = "F1";

/** The formats F1 times; the first is the peer the ratios are taken over. */
export const WEIGHTS_FILE_FORMATS = ["json", "safetensors"] as const;

/** A format F1 times. */
export type WeightsFileFormat = (typeof WEIGHTS_FILE_FORMATS)[number];

/** F1's model: 4H(I + H + 1) + (H + 1)O parameters. */
export function weightsFileModel(quick: boolean): ModelSpec {
  const hidden = quick ? 256 : 1024;
  return { input: 128, layers: [{ cell: "lstm", hidden }], head: { units: 256, activation: "linear" }, loss: "mse" };
}

/** What one format's process measured. */
export interface WeightsFileMeasurement {
  /** Parameters of the model. */
  readonly params: number;
  /** Size of the file written, bytes. */
  readonly bytes: number;
  /** Each timed save (`writeWeights`: serialize and write atomically), ms. */
  readonly saveMs: readonly number[];
  /** Each timed load (`readWeights`: read, parse, check against the model), ms. */
  readonly loadMs: readonly number[];
  /** Peak RSS of the process, MB. */
  readonly peakRssMb: number;
  /** RSS before the weights were made, MB. */
  readonly baseRssMb: number;
}

/**
 * Saves and loads F1's weights `repeats` times (after one untimed round) in `format`, in a
 * temporary folder removed afterwards; checks that every load gives back the weights saved.
 */
export function measureWeightsFile(format: WeightsFileFormat, quick: boolean, repeats: number): WeightsFileMeasurement {
  const baseRssMb = process.memoryUsage().rss / 2 ** 20;
  const program = loadProgram(weightsFileModel(quick));
  const weights = initParams(program, 1234, "float32");
  const params = Object.values(weights).reduce((n, t) => n + t.data.length, 0);
  const dir = mkdtempSync(join(tmpdir(), "unroll-bench-weights-"));
  const path = join(dir, `weights.${format}`);
  const saveMs: number[] = [];
  const loadMs: number[] = [];
  try {
    for (let i = 0; i <= repeats; i++) {
      let t0 = performance.now();
      writeWeights(path, weights);
      const saved = performance.now() - t0;
      t0 = performance.now();
      const loaded = readWeights(path, program, "float32");
      const load = performance.now() - t0;
      for (const [name, t] of Object.entries(weights)) {
        const back = loaded[name].data;
        if (back.length !== t.data.length || back.some((v, j) => v !== t.data[j])) throw new Error(`${format}: "${name}" did not load back as saved`);
      }
      // the first round is warm-up
      if (i > 0) [saveMs[i - 1], loadMs[i - 1]] = [saved, load];
    }
    return { params, bytes: statSync(path).size, saveMs, loadMs, peakRssMb: peakRssMb(), baseRssMb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One output line of F1, as `--json` prints it. */
export interface WeightsFileRecord {
  /** `"weights-file"`: these lines are not (system, workload) pairs. */
  readonly kind: "weights-file";
  /** `"F1"`. */
  readonly case: string;
  /** `json` or `safetensors`. */
  readonly format: string;
  /** True under `--quick`. */
  readonly quick: boolean;
  /** `ok` or `error`, and why. */
  readonly status: string;
  readonly reason: string | null;
  /** Parameters and file size. */
  readonly params: number | null;
  readonly file_mb: number | null;
  /** Median save and load times, ms, and the number of timed rounds. */
  readonly save_ms: number | null;
  readonly load_ms: number | null;
  readonly repeats: number | null;
  /** The JSON peer's median over this format's, in the same run (> 1: this format is faster). */
  readonly save_speedup_over_json: number | null;
  readonly load_speedup_over_json: number | null;
  /** Peak RSS of this format's own process, and its RSS before the weights were made, MB. */
  readonly peak_rss_mb: number | null;
  readonly base_rss_mb: number | null;
}

/** The record of one format's measurement (or failure), with its speed-ups over the JSON peer's when that one ran. */
export function weightsFileRecord(format: string, quick: boolean, m: WeightsFileMeasurement | string, peer?: WeightsFileMeasurement): WeightsFileRecord {
  const base = { kind: "weights-file" as const, case: WEIGHTS_FILE_CASE, format, quick };
  if (typeof m === "string") {
    const none = { params: null, file_mb: null, save_ms: null, load_ms: null, repeats: null, peak_rss_mb: null, base_rss_mb: null };
    return { ...base, status: "error", reason: m, ...none, save_speedup_over_json: null, load_speedup_over_json: null };
  }
  const [save, load] = [median(m.saveMs), median(m.loadMs)];
  return {
    ...base,
    status: "ok",
    reason: null,
    params: m.params,
    file_mb: m.bytes / 2 ** 20,
    save_ms: save,
    load_ms: load,
    repeats: m.saveMs.length,
    save_speedup_over_json: peer ? median(peer.saveMs) / save : null,
    load_speedup_over_json: peer ? median(peer.loadMs) / load : null,
    peak_rss_mb: m.peakRssMb,
    base_rss_mb: m.baseRssMb,
  };
}
