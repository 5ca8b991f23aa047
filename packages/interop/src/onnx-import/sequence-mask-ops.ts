import { attributesOf } from "../onnx/onnx-attributes.js";
import type { OnnxNode } from "../onnx/onnx-messages.js";
import type { ImportContext, OpRule } from "./import-context.js";
import { OnnxImportError } from "./import-error.js";
import type { ImportValue } from "./import-values.js";
import { axesText, meaningOf, type Axis } from "./symbolic-axes.js";
import { sourceText, tensorOf, valueText } from "./value-reads.js";

// The step mask `t < lengths[b]` as unroll's export writes it (sequence-mask.ts there) to zero a head's output past
// each row's length: Less(Unsqueeze(Range(0, Shape(x)[0], 1)), Unsqueeze(Cast(sequence_lens))), then Where(mask, head, 0).
// And the export's fix of rows of length 0, whose final state ONNX Runtime's recurrent nodes zero but unroll keeps at
// the initial state: Where(Unsqueeze(Greater(sequence_lens, 0)), Gather(Y_h, d), the initial state's input).

/** The graph input of lengths, as the import reads it: registered as DATA's lengths. */
function lengthsFeed(ctx: ImportContext, v: ImportValue | undefined, where: string): ImportValue {
  if (v?.kind === "lengths") return v;
  if (v?.kind !== "feed" || (v.rank !== undefined && v.rank !== 1)) {
    throw new OnnxImportError(`${where}: reads ${v ? valueText(v) : "nothing"}; unroll's import reads a Cast of the lengths (a graph input [batch]) only`);
  }
  const other = ctx.inputs.get(v.name);
  if (other && other.role !== "lengths") throw new OnnxImportError(`${where}: reads the graph input "${v.name}" as lengths, but it is also the ${other.role}`);
  ctx.inputs.set(v.name, { role: "lengths" });
  return { kind: "lengths", feed: v.name, axes: [["batch"]] };
}

/** A constant scalar input's value, or undefined. */
function scalar(ctx: ImportContext, node: OnnxNode, i: number, where: string): number | undefined {
  const v = ctx.input(node, i, where);
  return v?.kind === "constant" && v.tensor.values.length === 1 ? v.tensor.values[0] : undefined;
}

/** Two axis lists broadcast against each other (right-aligned, an axis of size 1 gives way), or undefined when they clash. */
function broadcast(ctx: ImportContext, a: readonly Axis[], b: readonly Axis[]): Axis[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: Axis[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? [];
    const y = b[b.length - n + i] ?? [];
    const [mx, my] = [meaningOf(x, {}, ctx.binding), meaningOf(y, {}, ctx.binding)];
    if (mx.length > 0 && my.length > 0 && mx.join() !== my.join()) return undefined;
    out.push(mx.length > 0 ? x : y);
  }
  return out;
}

/**
 * `Where(lengths > 0, final state, its initial state)`: a row of length 0 keeps its initial state, which is what
 * unroll's final state is already, so the value is the final state itself once the pieces are checked.
 */
function keptInitialState(ctx: ImportContext, feed: string, x: ImportValue | undefined, given: ImportValue | undefined, where: string): ImportValue {
  const refusal = (why: string) =>
    new OnnxImportError(`${where}: ${why}; unroll's import reads Where(lengths > 0, a final state, that state's initial state input) only`);
  if (feed !== ctx.lengths?.feed) throw refusal(`tests the lengths "${feed}", but the layers read ${ctx.lengths?.feed ? `"${ctx.lengths.feed}"` : "none"}`);
  if (x?.kind !== "tensor" || x.source.kind !== "final" || x.source.states.length !== 1)
    throw refusal(`input 1 is ${x ? valueText(x) : "missing"}, not one final state`);
  const state = x.source.states[0];
  const role = given?.kind === "feed" ? ctx.inputs.get(given.name) : undefined;
  if (role?.role !== "initialState" || !role.states.flat().includes(state)) {
    throw refusal(`input 2 is ${given ? valueText(given) : "missing"}, not the initial state of ${state}`);
  }
  return x;
}

/** Rules of the step mask and the Where that applies it. */
export const sequenceMaskRules: Readonly<Record<string, OpRule>> = {
  Shape: (ctx, node, where) => {
    const v = ctx.input(node, 0, where);
    const a = attributesOf(node);
    if (a.names().some((n) => n === "start" || n === "end"))
      throw new OnnxImportError(`${where}: attributes "start" and "end" are not read; unroll's import reads a whole Shape`);
    if (v?.kind === "constant")
      return [
        { kind: "constant", tensor: { what: `the output of ${where}`, dims: [v.tensor.dims.length], values: Float64Array.from(v.tensor.dims), double: false } },
      ];
    if (!v) throw new OnnxImportError(`${where}: input 0 is missing`);
    return [{ kind: "shape", of: tensorOf(ctx, v, where, "input 0").axes }];
  },
  Range: (ctx, node, where) => {
    const limit = ctx.input(node, 1, where);
    if (scalar(ctx, node, 0, where) !== 0 || scalar(ctx, node, 2, where) !== 1 || limit?.kind !== "size") {
      throw new OnnxImportError(`${where}: unroll's import reads Range(0, a dim of a tensor, 1) only: the step indices of a sequence mask`);
    }
    return [{ kind: "steps", axes: [limit.axis] }];
  },
  Cast: (ctx, node, where) => {
    const v = ctx.input(node, 0, where);
    if (v?.kind === "constant" || v?.kind === "steps" || v?.kind === "size" || v?.kind === "stepMask") return [v];
    return [lengthsFeed(ctx, v, where)];
  },
  Less: (ctx, node, where) => {
    const steps = ctx.input(node, 0, where);
    const lengths = lengthsFeed(ctx, ctx.input(node, 1, where), where);
    if (steps?.kind !== "steps" || lengths.kind !== "lengths") {
      throw new OnnxImportError(
        `${where}: compares ${steps ? valueText(steps) : "nothing"} with ${valueText(lengths)}; unroll's import reads the step mask (step indices < lengths) only`,
      );
    }
    const axes = broadcast(ctx, steps.axes, lengths.axes);
    if (!axes)
      throw new OnnxImportError(
        `${where}: the step indices ${axesText(steps.axes, ctx.binding)} do not broadcast with the lengths ${axesText(lengths.axes, ctx.binding)}`,
      );
    return [{ kind: "stepMask", feed: lengths.feed, axes }];
  },
  Greater: (ctx, node, where) => {
    const lengths = lengthsFeed(ctx, ctx.input(node, 0, where), where);
    if (lengths.kind !== "lengths" || scalar(ctx, node, 1, where) !== 0) {
      throw new OnnxImportError(`${where}: unroll's import reads Greater(lengths, 0) only: the rows that read at least one step`);
    }
    return [{ kind: "startedRows", feed: lengths.feed, axes: lengths.axes }];
  },
  Where: (ctx, node, where) => {
    const [mask, x, zero] = [0, 1, 2].map((i) => ctx.input(node, i, where));
    if (mask?.kind === "startedRows") return [keptInitialState(ctx, mask.feed, x, zero, where)];
    if (mask?.kind !== "stepMask" || x?.kind !== "tensor" || zero?.kind !== "constant" || zero.tensor.values.some((v) => v !== 0)) {
      throw new OnnxImportError(`${where}: unroll's import reads Where(step mask, a head's output, 0) only: the head's output set to 0 past each row's length`);
    }
    if (mask.feed !== ctx.lengths?.feed) {
      throw new OnnxImportError(`${where}: masks by the lengths "${mask.feed}", but the layers read ${ctx.lengths?.feed ? `"${ctx.lengths.feed}"` : "none"}`);
    }
    // the mask's time and batch must line up with the output's, right-aligned
    const offset = x.axes.length - mask.axes.length;
    const aligned = mask.axes.every((ax, i) => {
      const m = meaningOf(ax, {}, ctx.binding);
      return m.length === 0 || (i + offset >= 0 && meaningOf(x.axes[i + offset], x.sizes, ctx.binding).join() === m.join());
    });
    const held = mask.axes
      .flatMap((ax) => meaningOf(ax, {}, ctx.binding))
      .sort()
      .join();
    if (!aligned || held !== "batch,time") {
      throw new OnnxImportError(
        `${where}: the step mask ${axesText(mask.axes, ctx.binding)} does not line up with the time and batch of ${sourceText(x.source)} ${axesText(x.axes, ctx.binding)}`,
      );
    }
    // a layer's Y is 0 past each row's length already; a head's output becomes what unroll outputs there
    if (x.source.kind === "sequence") return [x];
    if (x.source.kind !== "head")
      throw new OnnxImportError(`${where}: masks ${sourceText(x.source)}; unroll's import reads a mask on a head's output or a layer's output sequence`);
    return [{ ...x, source: { ...x.source, zeroPastLengths: true } }];
  },
};
