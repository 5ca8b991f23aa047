import { resolveShape, sizeOf, type Dtype, type Node, type Shape } from "@unroll/ir";
import { unfused, type Device, type Executable } from "../device.js";
import { NonFiniteError } from "../non-finite-error.js";
import { liveValues, storedValues, type ScanGraph } from "../program/stage-graphs.js";

/** Where a scan's nodes run, for naming the first non-finite value. */
export interface ScanSite {
  /** Stage index. */
  readonly stage: number;
  /** Forward or backward (a recomputed segment is forward). */
  readonly pass: "forward" | "backward";
  /** The time step of the scan's step `k` (0 = its first step in time), counted from the sequence's start. */
  readonly step: (k: number) => number;
}

/** One run of a scan graph over `steps` consecutive steps, on device buffers. */
export interface ScanRun<Buf> {
  /** Steps in the span (n). */
  readonly steps: number;
  /** Rows per step (B). */
  readonly batch: number;
  /** Visit the steps from the last to the first. */
  readonly reverse: boolean;
  /** Values the same at every step (params), by id. */
  readonly constants: ReadonlyMap<string, Buf>;
  /** Per-step inputs over the span, `[n, B, ...]`, by id. */
  readonly sequences: ReadonlyMap<string, Buf>;
  /** Recurrent inputs entering the span, `[B, ...]`, by id. */
  readonly initial: ReadonlyMap<string, Buf>;
  /** `[n, B, ...]` buffers to record the recurrent inputs entering each step into, by id. */
  readonly entering: ReadonlyMap<string, Buf>;
  /** `[n, B, ...]` buffers to record the recurrent values after each step into, by id. */
  readonly after: ReadonlyMap<string, Buf>;
  /** Per-step outputs wanted, by value id. */
  readonly outputs: readonly string[];
  /** Outputs summed over the span wanted, by value id. */
  readonly summed: readonly string[];
  /** With a site, nodes run one at a time, step by step, and each value is read back and checked for NaN/Infinity. */
  readonly site?: ScanSite;
}

/** What a scan produced. Buffers in `allocated` were made for this run; the caller releases those it does not keep. */
export interface ScanOutputs<Buf> {
  /** Each wanted per-step output, stacked `[n·B, ...]` (time-major). */
  readonly outputs: ReadonlyMap<string, Buf>;
  /** Each wanted summed output. */
  readonly summed: ReadonlyMap<string, Buf>;
  /** The recurrent values after the last visited step: valid until this scan graph runs again. */
  readonly final: ReadonlyMap<string, Buf>;
  /** Buffers allocated by this run (outputs and intermediates). */
  readonly allocated: readonly Buf[];
}

/** A scan part made ready for a device: its kernel calls and their output shapes per row count. */
class PreparedPart {
  private readonly shapesByRows = new Map<number, number[][]>();
  constructor(
    readonly exes: readonly Executable[],
    private readonly shapes: ReadonlyMap<string, Shape>,
  ) {}

  outShapes(rows: number): number[][] {
    let s = this.shapesByRows.get(rows);
    if (!s) {
      s = this.exes.map((e) => resolveShape(this.shapes.get(e.nodes[e.nodes.length - 1].id)!, rows));
      this.shapesByRows.set(rows, s);
    }
    return s;
  }
}

/** The prepared parts of one scan graph, split or whole. */
interface PreparedScan<Buf> {
  readonly pre: PreparedPart;
  readonly core: PreparedPart;
  readonly post: PreparedPart;
  /** Nodes run step by step, unfused, when checking for non-finite values. */
  readonly checked: PreparedPart;
  /** The loop's two alternating buffer sets, by batch size and slot. */
  readonly slots: Map<string, Buf[]>;
}

/**
 * Runs step graphs as scans on a device: what does not depend on the
 * recurrence once over all steps stacked into the batch (`[n·B, ...]`), the
 * recurrence step by step, and what only reads the recurrence once after the
 * loop ({@link ScanGraph.split}). The loop alternates two buffer sets kept
 * across runs, so a step allocates nothing.
 */
export class ScanExecutor<Buf> {
  private readonly prepared = new Map<ScanGraph, PreparedScan<Buf>>();

  constructor(
    private readonly device: Device<Buf>,
    private readonly dtype: Dtype,
  ) {}

  private prepare(scan: ScanGraph): PreparedScan<Buf> {
    let p = this.prepared.get(scan);
    if (!p) {
      const { split, graph } = scan;
      const shapes = graph.shapes;
      const part = (nodes: readonly Node[]): PreparedPart => {
        if (!split.splittable) return new PreparedPart(unfused(nodes), shapes);
        return new PreparedPart(this.device.prepare(nodes, { shapes, live: liveValues(scan, nodes), dtype: this.dtype }), shapes);
      };
      p = { pre: part(split.pre), core: part(split.core), post: part(split.post), checked: new PreparedPart(unfused(graph.order), shapes), slots: new Map() };
      this.prepared.set(scan, p);
    }
    return p;
  }

  /**
   * Runs `part` on `rows` rows, adding each output to `env`; with `slot`, into
   * buffers kept for that slot. Synchronous: only enqueues device work. With
   * `written`, each executable's output is listed there, in order.
   */
  private runPart(
    part: PreparedPart,
    env: Map<string, Buf>,
    rows: number,
    allocated: Buf[],
    slot?: { slots: Map<string, Buf[]>; key: string },
    written?: [Node, Buf][],
  ): void {
    const shapes = part.outShapes(rows);
    const { device, dtype } = this;
    let buffers: Buf[] | undefined;
    if (slot) {
      buffers = slot.slots.get(slot.key);
      if (!buffers) {
        buffers = shapes.map((s) => device.alloc(s, dtype));
        slot.slots.set(slot.key, buffers);
      }
    }
    const exes = part.exes;
    for (let i = 0; i < exes.length; i++) {
      const exe = exes[i];
      let out: Buf;
      if (buffers) out = buffers[i];
      else {
        out = device.alloc(shapes[i], dtype);
        allocated.push(out);
      }
      device.run(
        exe,
        exe.inputs.map((id) => env.get(id)!),
        out,
      );
      const node = exe.nodes[exe.nodes.length - 1];
      written?.push([node, out]);
      env.set(node.id, out);
    }
  }

  /** Reads back every value a step wrote, in order, and names the first that is not finite. */
  private async check(written: readonly [Node, Buf][], site: { stage: number; pass: "forward" | "backward"; step: number }): Promise<void> {
    for (const [node, out] of written) {
      const data = await this.device.read(out);
      for (let k = 0; k < data.length; k++) {
        if (!Number.isFinite(data[k])) throw new NonFiniteError({ node: node.id, op: node.op, ...site }, data[k]);
      }
    }
  }

  /** Releases the loop buffers kept between runs. */
  dispose(): void {
    for (const p of this.prepared.values()) for (const set of p.slots.values()) for (const b of set) this.device.release(b);
    this.prepared.clear();
  }

  /** Runs a scan graph over a span. */
  async run(scan: ScanGraph, a: ScanRun<Buf>): Promise<ScanOutputs<Buf>> {
    const { device, dtype } = this;
    const p = this.prepare(scan);
    const checking = a.site !== undefined;
    const { io, graph } = scan;
    const shapes = graph.shapes;
    const { steps: n, batch: B } = a;
    const allocated: Buf[] = [];
    // concrete shapes and sizes per value, computed once per run: the step loop asks for them at every step
    const rowShapes = new Map<string, number[]>();
    const rowShape = (id: string): number[] => {
      let r = rowShapes.get(id);
      if (r === undefined) rowShapes.set(id, (r = resolveShape(shapes.get(id)!, B)));
      return r;
    };
    const rowSizes = new Map<string, number>();
    const rowSize = (id: string): number => {
      let r = rowSizes.get(id);
      if (r === undefined) rowSizes.set(id, (r = sizeOf(rowShape(id))));
      return r;
    };
    const stackedShape = (id: string): number[] => {
      const s = rowShape(id);
      return [n * s[0], ...s.slice(1)];
    };
    const whole = new Map<string, Buf>(a.constants);
    for (const [id, seq] of a.sequences) whole.set(id, device.view(seq, 0, stackedShape(id)));
    if (!checking) this.runPart(p.pre, whole, n * B, allocated);

    // per-step values that post or the wanted outputs read: core values, and recurrent inputs output as they are
    const core = checking ? p.checked : p.core;
    const coreIds = new Set(core.exes.flatMap((e) => e.nodes.map((m) => m.id)));
    const updates = new Map(io.recurrentInputs.map((id, i) => [id, io.recurrentOutputs[i]] as const));
    const stored = new Map<string, Buf>();
    for (const id of storedValues(scan, coreIds, a.outputs, !checking)) {
      const buf = device.alloc([n, ...rowShape(id)], dtype);
      allocated.push(buf);
      stored.set(id, buf);
    }
    const summedInCore = a.summed.filter((id) => coreIds.has(id));
    const summed = new Map<string, Buf>();
    for (const id of summedInCore) {
      const buf = device.alloc(rowShape(id), dtype);
      allocated.push(buf);
      summed.set(id, buf);
    }
    // everything batched the loop reads per step: the sequences and what pre computed from them
    const perStep = [...whole.keys()].filter((id) => shapes.get(id)?.[0] === "B");
    const zeros = new Map<string, Buf>();
    const zeroOf = (id: string): Buf => {
      let z = zeros.get(id);
      if (z === undefined) {
        zeros.set(id, (z = device.alloc(rowShape(id), dtype)));
        allocated.push(z);
      }
      return z;
    };
    let recurrent = new Map(a.initial);
    // one environment for every step: each step overwrites its per-step inputs and its core values
    const env = new Map<string, Buf>(whole);
    const slotKeys = [`${B}:0`, `${B}:1`];
    for (let k = 0; k < n; k++) {
      const t = a.reverse ? n - 1 - k : k;
      for (const [id, buf] of a.entering) device.copy(recurrent.get(id)!, device.view(buf, t * rowSize(id), rowShape(id)));
      for (const id of perStep) env.set(id, device.view(whole.get(id)!, t * rowSize(id), rowShape(id)));
      for (const [id, v] of recurrent) env.set(id, v);
      if (a.site) {
        // fresh buffers, each read back before the next step runs
        const written: [Node, Buf][] = [];
        this.runPart(core, env, B, allocated, undefined, written);
        await this.check(written, { stage: a.site.stage, pass: a.site.pass, step: a.site.step(t) });
      } else {
        this.runPart(core, env, B, allocated, { slots: p.slots, key: slotKeys[k % 2] });
      }
      for (const [id, buf] of stored) device.copy(env.get(id)!, device.view(buf, t * rowSize(id), rowShape(id)));
      for (const id of summedInCore) device.accumulate(summed.get(id)!, env.get(id)!);
      const next = new Map<string, Buf>();
      // a carry the step does not feed back (no gradient flows through it) is zero
      for (const [id, out] of updates) next.set(id, env.get(out) ?? zeroOf(id));
      recurrent = next;
      for (const [id, buf] of a.after) device.copy(recurrent.get(id)!, device.view(buf, t * rowSize(id), rowShape(id)));
    }

    for (const [id, buf] of stored) whole.set(id, device.view(buf, 0, stackedShape(id)));
    if (!checking) this.runPart(p.post, whole, n * B, allocated);
    const outputs = new Map<string, Buf>();
    // stored values go out as their own `[n, B, ...]` buffers (which `allocated` lists), not as the stacked views post read
    for (const id of a.outputs) outputs.set(id, stored.get(id) ?? whole.get(id)!);
    for (const id of a.summed) if (!summed.has(id)) summed.set(id, whole.get(id)!);
    return { outputs, summed, final: recurrent, allocated };
  }
}
