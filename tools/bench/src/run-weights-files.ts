import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CHILD_NODE_FLAGS } from "./protocol.js";
import { WEIGHTS_FILE_FORMATS, weightsFileRecord, type WeightsFileMeasurement, type WeightsFileRecord } from "./weights-files.js";

const CHILD = fileURLToPath(new URL("./weights-file-child.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** Runs one format's measurement in its own process; a failure comes back as its message. */
function runFormat(format: string, quick: boolean, repeats: number): WeightsFileMeasurement | string {
  const r = spawnSync(process.execPath, [...CHILD_NODE_FLAGS, CHILD, JSON.stringify({ format, quick, repeats })], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 900_000,
    maxBuffer: 1 << 20,
  });
  const line = r.stdout?.trim().split("\n").pop();
  if (!line) return `the child exited with ${r.signal ?? `code ${r.status}`} and no result`;
  const out = JSON.parse(line) as WeightsFileMeasurement | { error: string };
  return "error" in out ? out.error : out;
}

/**
 * F1: the CLI's weights writer and reader, JSON then safetensors, each in its own process
 * (JSON first: it is the peer the speed-ups are over). Returns the records, one per format.
 */
export function runWeightsFiles(quick: boolean): WeightsFileRecord[] {
  const repeats = quick ? 2 : 5;
  const measured = WEIGHTS_FILE_FORMATS.map((format) => [format, runFormat(format, quick, repeats)] as const);
  const peer = measured[0][1];
  return measured.map(([format, m]) => weightsFileRecord(format, quick, m, typeof peer === "string" || format === "json" ? undefined : peer));
}

/** F1's lines for the table output. */
export function formatWeightsFiles(records: readonly WeightsFileRecord[]): string[] {
  const fixed = (v: number | null, digits: number): string => (v === null ? "—" : v.toFixed(digits));
  const lines = [
    `F1: save and load ${records[0]?.params?.toLocaleString("en-US") ?? "?"} float32 parameters with the CLI's --save / --weights (own process per format)`,
  ];
  lines.push("format       file MB   save ms   load ms   save ×json   load ×json   peak RSS MB");
  for (const r of records) {
    if (r.status !== "ok") {
      lines.push(`${r.format.padEnd(12)} error: ${r.reason}`);
      continue;
    }
    const cells = [
      fixed(r.file_mb, 1),
      fixed(r.save_ms, 1),
      fixed(r.load_ms, 1),
      fixed(r.save_speedup_over_json, 1),
      fixed(r.load_speedup_over_json, 1),
      fixed(r.peak_rss_mb, 0),
    ];
    lines.push(`${r.format.padEnd(12)} ${cells.map((c, i) => c.padStart([7, 9, 9, 12, 12, 13][i])).join(" ")}`);
  }
  lines.push("×json: the JSON format's median time over this format's, in this run (> 1: faster than JSON)");
  return lines;
}
