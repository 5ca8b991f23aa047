import { formatShape } from "@unroll/ir";
import { estimateWindowMemory, type MaterializedValues } from "./memory-estimate.js";
import type { Instruction, StepsRef, WindowProgram } from "./window-program.js";

/** `1536` → `"1.5 KiB"`. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${u === 0 ? n : n.toFixed(n < 10 ? 2 : 1)} ${units[u]}`;
}

const span = (from: number, to: number, reverse: boolean): string => (reverse ? `steps ${to - 1} down to ${from}` : `steps ${from} to ${to - 1}`);
const ref = (r: StepsRef, n: number): string => (r.offset === 0 && n > 0 ? r.buffer : `${r.buffer}[${r.offset}..]`);
const list = (xs: readonly string[]): string => (xs.length ? xs.join(", ") : "none");

function formatInstruction(p: WindowProgram, ins: Instruction, k: number): string[] {
  if (ins.op === "seedLoss") {
    return [`${k}. seed ${ins.buffer} with 1/(rows whose loss counts) at steps ${ins.from} to ${p.steps - 1}, 0 before`];
  }
  const n = ins.to - ins.from;
  const scan = p.scans[ins.scan];
  const lines = [
    `${k}. scan #${ins.scan} (${scan.label}${ins.pass === "recompute" ? ", recomputing a checkpoint segment" : ""}), ${span(ins.from, ins.to, ins.reverse)}`,
  ];
  const carries = Object.entries(ins.initial).map(([id, b]) => `${id}: ${b}${ins.final[id] ? ` → ${ins.final[id]}` : ""}`);
  if (carries.length) lines.push(`     carries ${carries.join(", ")}`);
  lines.push(`     reads ${list(Object.values(ins.sequences).map((r) => ref(r, n)))}`);
  const writes = [
    ...ins.outputs.map((o) => ref(o.to, n)),
    ...ins.accumulate.map((o) => `+${ref(o.to, n)}`),
    ...ins.summed.map((o) => `+${o.to}`),
    ...Object.values(ins.entering).map((r) => `${ref(r, n)} (carries entering each step)`),
    ...Object.values(ins.after).map((r) => `${ref(r, n)} (carries after each step)`),
  ];
  lines.push(`     writes ${list(writes)}`);
  return lines;
}

/**
 * A window program as text: its scans and how each splits around the
 * recurrence, its buffers with their sizes, its instructions in order and its
 * memory estimate. `unroll plan` prints this.
 */
export function formatWindowProgram(p: WindowProgram, materialized?: MaterializedValues): string {
  const bytesPer = p.dtype === "float32" ? 4 : 8;
  const mem = estimateWindowMemory(p, materialized);
  const out = [
    `window of ${p.steps} steps × batch ${p.batch}, ${p.dtype}, ${p.gradients ? "forward and backward" : "forward only"}${p.masked ? ", masked (lengths)" : ""}, loss from step ${p.lossFrom}`,
  ];
  if (p.segments.length > 1) out.push(`checkpoint segments: ${p.segments.map(([a, b]) => `[${a}, ${b})`).join(" ")}`);
  out.push("scans:");
  p.scans.forEach((s, k) => {
    const sp = s.split;
    out.push(
      `  #${k} ${s.label}: ` +
        (sp.splittable
          ? `${sp.pre.length} nodes before the loop (all steps at once), ${sp.core.length} per step, ${sp.post.length} after`
          : `all ${sp.core.length} nodes per step (${sp.reason})`),
    );
  });
  out.push("buffers:");
  for (const b of p.buffers) {
    const init =
      "from" in b.init
        ? `from the request's ${b.init.from}`
        : "fill" in b.init
          ? b.init.fill === 0
            ? "zeros"
            : `filled with ${b.init.fill}`
          : "written by a scan";
    out.push(
      `  ${b.id.padEnd(28)} ${b.role.padEnd(13)} ${formatShape(b.shape).padEnd(16)} ${formatBytes(b.shape.reduce((a, d) => a * d, bytesPer)).padStart(10)}  ${init}`,
    );
  }
  out.push("instructions:");
  p.instructions.forEach((ins, k) => out.push(...formatInstruction(p, ins, k + 1).map((l) => `  ${l}`)));
  out.push(
    `memory: inputs ${formatBytes(mem.inputs)} + buffers ${formatBytes(mem.buffers)} + largest scan workspace ${formatBytes(mem.workspace)}` +
      `${mem.workspaceAt >= 0 ? ` (instruction ${mem.workspaceAt + 1})` : ""} + loop buffers ${formatBytes(mem.loop)} = peak ${formatBytes(mem.peak)}`,
  );
  return out.join("\n");
}
