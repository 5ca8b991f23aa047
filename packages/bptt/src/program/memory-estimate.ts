import { resolveShape, sizeOf, type Dtype, type Shape } from "@unroll/ir";
import type { Device, StepNode } from "../device.js";
import { liveValues, storedValues, type ScanGraph } from "./stage-graphs.js";
import type { BufferSpec, ScanInstruction, WindowProgram } from "./window-program.js";

/**
 * How a device will group a scan part's nodes into kernels, for sizing: the
 * values it materializes are the last node of each group. Omitted, every node
 * is materialized (an upper bound for a fusing device).
 */
export type MaterializedValues = (scan: ScanGraph, part: "pre" | "core" | "post", nodes: readonly StepNode[]) => readonly string[];

/** The values `device` materializes in each scan part, as its {@link Device.prepare} groups them. */
export function materializedBy(device: Pick<Device<unknown>, "prepare">, dtype: Dtype): MaterializedValues {
  return (scan, _part, nodes) =>
    device.prepare(nodes, { shapes: scan.graph.shapes, live: liveValues(scan, nodes), dtype }).map((e) => e.nodes[e.nodes.length - 1].id);
}

/** What a window program needs in memory, in bytes, before it runs. */
export interface WindowMemory {
  /** The request's tensors: params, data sequences, mask and given initial state. */
  readonly inputs: number;
  /** The window's own buffers (outputs, states, tape, residuals, checkpoints, gradients), live until it ends. */
  readonly buffers: number;
  /** The largest scan's temporary values (live only while it runs). */
  readonly workspace: number;
  /** Index of the instruction with the largest workspace. */
  readonly workspaceAt: number;
  /** The loop's two buffer sets of each scan graph, kept between windows. */
  readonly loop: number;
  /** `inputs + buffers + workspace + loop`. */
  readonly peak: number;
}

const REQUEST_ROLES = new Set<BufferSpec["role"]>(["param", "sequence", "mask"]);

function isRequest(spec: BufferSpec): boolean {
  return REQUEST_ROLES.has(spec.role) || ("from" in spec.init && spec.init.from === "initialState");
}

/**
 * Estimates the memory a window program needs by replaying its allocations:
 * every buffer it declares, plus what each scan allocates while it runs (the
 * hoisted parts over all its steps stacked, the per-step values it stores),
 * less the outputs the executor adopts as buffers without a copy.
 */
export function estimateWindowMemory(program: WindowProgram, materialized?: MaterializedValues): WindowMemory {
  const bytesPer = program.dtype === "float32" ? 4 : 8;
  const bytes = (shape: readonly number[]): number => sizeOf(shape) * bytesPer;
  const specs = new Map(program.buffers.map((b) => [b.id, b]));
  let inputs = 0;
  let buffers = 0;
  for (const spec of program.buffers) {
    if (isRequest(spec)) inputs += bytes(spec.shape);
    else buffers += bytes(spec.shape);
  }
  const B = program.batch;
  const made = new Set<string>();
  let workspace = 0;
  let workspaceAt = -1;
  const loops = new Map<ScanGraph, number>();
  program.instructions.forEach((ins, k) => {
    if (ins.op !== "scan") {
      made.add(ins.buffer);
      return;
    }
    const scan = program.scans[ins.scan];
    const w = scanWorkspace(scan, ins, B, bytes, materialized);
    // outputs adopted as buffers are counted among the buffers already
    let adopted = 0;
    const refs = [...Object.values(ins.sequences), ...Object.values(ins.entering), ...Object.values(ins.after), ...ins.accumulate.map((o) => o.to)];
    for (const id of [...Object.values(ins.initial), ...Object.values(ins.final), ...Object.values(ins.constants), ...ins.summed.map((o) => o.to)])
      made.add(id);
    for (const r of refs) made.add(r.buffer);
    const n = ins.to - ins.from;
    for (const { value, to } of ins.outputs) {
      const spec = specs.get(to.buffer)!;
      if (!made.has(to.buffer) && to.offset === 0 && spec.shape[0] === n) adopted += w.sizes.get(value) ?? 0;
      made.add(to.buffer);
    }
    const temp = w.total - adopted;
    if (temp > workspace) {
      workspace = temp;
      workspaceAt = k;
    }
    loops.set(scan, Math.max(loops.get(scan) ?? 0, w.loop));
  });
  const loop = [...loops.values()].reduce((a, b) => a + b, 0);
  return { inputs, buffers, workspace, workspaceAt, loop, peak: inputs + buffers + workspace + loop };
}

/** Bytes a scan instruction allocates while it runs, and of the per-step buffer sets its loop keeps. */
function scanWorkspace(
  scan: ScanGraph,
  ins: ScanInstruction,
  B: number,
  bytes: (shape: readonly number[]) => number,
  materialized: MaterializedValues | undefined,
): { total: number; sizes: Map<string, number>; loop: number } {
  const n = ins.to - ins.from;
  const { split, graph } = scan;
  const shapes = graph.shapes;
  const rows = (id: string, r: number): number[] => resolveShape(shapes.get(id) as Shape, r);
  const values = (part: "pre" | "core" | "post", nodes: readonly StepNode[]): readonly string[] =>
    materialized && split.splittable ? materialized(scan, part, nodes) : nodes.map((m) => m.id);
  const sizes = new Map<string, number>();
  let total = 0;
  for (const part of ["pre", "post"] as const) {
    for (const id of values(part, split[part])) {
      const b = bytes(rows(id, n * B));
      sizes.set(id, b);
      total += b;
    }
  }
  const coreIds = new Set(split.core.map((m) => m.id));
  const wanted = [...new Set([...ins.outputs, ...ins.accumulate].map((o) => o.value))];
  for (const id of storedValues(scan, coreIds, wanted, true)) {
    const b = bytes([n, ...rows(id, B)]);
    sizes.set(id, b);
    total += b;
  }
  for (const { value } of ins.summed) if (coreIds.has(value)) total += bytes(rows(value, B));
  const loop = 2 * values("core", split.core).reduce((a, id) => a + bytes(rows(id, B)), 0);
  return { total, sizes, loop };
}
