import { ops, type Node } from "./ops/index.js";
import type { Shape } from "./shape.js";
import type { CheckedGraph } from "./validate.js";

/**
 * A step graph cut into the parts a scan can run at different granularities:
 * - `pre`: nodes that do not depend on the recurrence. They run once for the
 *   whole window with the time steps stacked into the batch (`[L·B, ...]`), so
 *   the input projection `x_t W_in` of every step becomes one large product.
 * - `core`: nodes on the path from the recurrent inputs to their next values;
 *   only these run step by step.
 * - `post`: nodes that depend on the recurrence but do not feed it (a head, a
 *   loss, or in a backward graph the weight gradients). They run once after the
 *   loop on the stacked steps; a product that sums over the batch then sums over
 *   all steps too, which is exactly a weight gradient accumulated over time.
 *
 * Any step graph splits this way, so a custom cell gets the same hoisting as a
 * built-in one. When stacking steps would change a result (a value reduced over
 * the batch that is used again within the step), `splittable` is false and the
 * whole graph runs step by step.
 */
export interface ScanSplit {
  /** False when the graph must run step by step (`core` then holds every node). */
  readonly splittable: boolean;
  /** Nodes run once before the loop, in order. */
  readonly pre: readonly Node[];
  /** Nodes run at every step, in order. */
  readonly core: readonly Node[];
  /** Nodes run once after the loop, in order. */
  readonly post: readonly Node[];
  /** Core values that `post` (or an output) reads, stored at every step. */
  readonly stored: readonly string[];
  /** Values whose shape has no batch axis (params and what depends on params only, or sums over time). */
  readonly unbatched: ReadonlySet<string>;
  /** Why the graph is not splittable, for debug logs. */
  readonly reason?: string;
}

/** What a scan feeds back and what it reports, for {@link splitScan}. */
export interface ScanInterface {
  /** Inputs that carry the recurrence (forward: carry ids; backward: carry-gradient seeds). */
  readonly recurrentInputs: readonly string[];
  /** Values that become the next recurrent inputs (forward: update values). */
  readonly recurrentOutputs: readonly string[];
  /** Per-step outputs (batched, one row per batch entry). */
  readonly outputs: readonly string[];
  /** Outputs summed over all steps (weight gradients), shapes without a batch axis. */
  readonly summedOutputs?: readonly string[];
}

const isBatched = (s: Shape | undefined): boolean => s !== undefined && s[0] === "B";

/**
 * The split that hoists nothing: every node runs at every step, and only the
 * outputs are kept per step. A scan whose per-step values are large (RTRL's
 * tangents) runs this way so that its memory does not grow with its length.
 */
export function stepByStep(checked: CheckedGraph, io: ScanInterface, reason: string): ScanSplit {
  const { order, shapes } = checked;
  return {
    splittable: false,
    pre: [],
    core: order,
    post: [],
    stored: [...new Set([...io.outputs, ...(io.summedOutputs ?? [])])],
    unbatched: new Set([...shapes].filter(([, s]) => !isBatched(s)).map(([id]) => id)),
    reason,
  };
}

/** Splits a step graph for a scan; see {@link ScanSplit}. */
export function splitScan(checked: CheckedGraph, io: ScanInterface): ScanSplit {
  const { order, shapes } = checked;
  const whole = (reason: string): ScanSplit => stepByStep(checked, io, reason);
  const recurrent = new Set<string>(io.recurrentInputs);
  for (const n of order) if (n.inputs.some((i) => recurrent.has(i))) recurrent.add(n.id);
  const byId = new Map(order.map((n) => [n.id, n] as const));
  const feeds = new Set<string>();
  const stack = [...io.recurrentOutputs];
  while (stack.length) {
    const id = stack.pop()!;
    if (feeds.has(id)) continue;
    feeds.add(id);
    byId.get(id)?.inputs.forEach((i) => stack.push(i));
  }
  const phase = new Map<string, "pre" | "core" | "post">();
  for (const n of order) phase.set(n.id, !recurrent.has(n.id) ? "pre" : feeds.has(n.id) ? "core" : "post");

  // Values summed over time: reductions of batched values outside the loop, and time-linear ops (OpDef.timeLinear) of only such values.
  const summed = new Set<string>();
  for (const n of order) {
    if (phase.get(n.id) === "core" || isBatched(shapes.get(n.id))) continue;
    const ins = n.inputs.map((i) => shapes.get(i));
    if (ins.some(isBatched)) summed.add(n.id);
    else if (n.inputs.some((i) => summed.has(i))) {
      if (!ops[n.op].timeLinear) return whole(`node "${n.id}" (${n.op}) is not linear in time, so it cannot be computed from sums over steps`);
      if (!n.inputs.every((i) => summed.has(i))) return whole(`node "${n.id}" (${n.op}) mixes a sum over steps with a per-step value`);
      summed.add(n.id);
    }
  }
  const allowedSummed = new Set(io.summedOutputs ?? []);
  for (const n of order) {
    for (const i of n.inputs) {
      if (summed.has(i) && !(summed.has(n.id) && ops[n.op].timeLinear)) {
        return whole(`"${i}" is reduced over the batch and then used again within the step, by "${n.id}" (${n.op})`);
      }
    }
  }
  for (const id of summed) {
    if (!allowedSummed.has(id) && [...order].every((n) => !n.inputs.includes(id))) {
      return whole(`"${id}" is reduced over the batch but is not an output summed over time`);
    }
  }
  for (const id of io.summedOutputs ?? []) {
    const p = phase.get(id);
    if (p !== undefined && p !== "core" && !summed.has(id) && !isBatched(shapes.get(id))) {
      return whole(`summed output "${id}" does not depend on the batch, so stacking steps would not sum it`);
    }
    if (p === "core") return whole(`summed output "${id}" is computed inside the recurrence`);
  }
  // The loop may not read a post value, and post may not read an unbatched core value.
  const stored = new Set<string>();
  for (const n of order) {
    for (const i of n.inputs) {
      const pi = phase.get(i);
      if (phase.get(n.id) === "post" && (pi === "core" || io.recurrentInputs.includes(i))) {
        if (!isBatched(shapes.get(i))) return whole(`"${n.id}" reads "${i}", a per-step value without a batch axis`);
        stored.add(i);
      }
    }
  }
  for (const id of io.outputs) if (phase.get(id) === "core") stored.add(id);
  for (const id of io.outputs) {
    if (!isBatched(shapes.get(id))) return whole(`output "${id}" has no batch axis`);
  }
  const unbatched = new Set([...shapes].filter(([, s]) => !isBatched(s)).map(([id]) => id));
  return {
    splittable: true,
    pre: order.filter((n) => phase.get(n.id) === "pre"),
    core: order.filter((n) => phase.get(n.id) === "core"),
    post: order.filter((n) => phase.get(n.id) === "post"),
    stored: [...stored],
    unbatched,
  };
}
