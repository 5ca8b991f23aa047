/**
 * Measures one F1 format in a fresh process (so that its peak RSS is its own) and prints
 * one JSON line: the measurement, or `{ "error": message }`.
 *
 * Usage: node --conditions=source --import tsx weights-file-child.ts '{"format":"json","quick":true,"repeats":2}'
 */
import { measureWeightsFile, type WeightsFileFormat } from "./weights-files.js";

const job = JSON.parse(process.argv[2] ?? "null") as { format: WeightsFileFormat; quick: boolean; repeats: number } | null;
if (!job) {
  console.error("usage: weights-file-child.ts '<job as JSON>' (started by run-weights-files.ts)");
  process.exit(2);
}
try {
  process.stdout.write(`${JSON.stringify(measureWeightsFile(job.format, job.quick, job.repeats))}\n`);
} catch (e) {
  process.stdout.write(`${JSON.stringify({ error: (e as Error).message })}\n`);
}
