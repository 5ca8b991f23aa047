import { attributesOf } from "../onnx/onnx-attributes.js";
import type { OnnxNode } from "../onnx/onnx-messages.js";
import type { ImportContext, OpRule } from "./import-context.js";
import { OnnxImportError } from "./import-error.js";
import type { ConstantTensor, ImportValue } from "./import-values.js";
import { constantOfNode, constantOfTensor, redimConstant, reshapeDims, transposeConstant } from "./onnx-constants.js";
import { flattenAxes, meaningOf, normalizeAxis, reshapeAxes, squeezeAxes, transposeAxes, unsqueezeAxes, type Axis, type PartSizes } from "./symbolic-axes.js";
import { constantInput, intsOf, tensorOf, valueText, type TensorValue } from "./value-reads.js";

/**
 * Applies a rearrangement to input 0: zeros stay zeros, a constant is folded, a tensor (or the steps, lengths and step
 * mask of a sequence mask) gets new axes.
 */
function rearrange(
  ctx: ImportContext,
  node: OnnxNode,
  where: string,
  onAxes: (axes: readonly Axis[], sizes: PartSizes) => Axis[],
  onConstant: (c: ConstantTensor) => ConstantTensor,
): ImportValue[] {
  const v = ctx.input(node, 0, where);
  if (!v) throw new OnnxImportError(`${where}: input 0 is missing`);
  if (v.kind === "zeros") return [v];
  if (v.kind === "constant") return [{ kind: "constant", tensor: onConstant(v.tensor) }];
  if (v.kind === "steps" || v.kind === "lengths" || v.kind === "stepMask" || v.kind === "startedRows") return [{ ...v, axes: onAxes(v.axes, {}) }];
  if (v.kind === "stateFeeds" || v.kind === "shape" || v.kind === "size") {
    throw new OnnxImportError(`${where}: rearranges ${valueText(v)}, which unroll's import does not follow through a ${node.opType}`);
  }
  const t = tensorOf(ctx, v, where, "input 0");
  return [{ ...t, axes: onAxes(t.axes, t.sizes) }];
}

/** The axes a Squeeze or Unsqueeze names: an attribute before opset 13, input 1 from 13 on. */
function axesOperand(ctx: ImportContext, node: OnnxNode, where: string): number[] | undefined {
  if (ctx.opset < 13) return attributesOf(node).ints("axes");
  return node.input?.[1] ? intsOf(constantInput(ctx, node, 1, where, `1 ("axes")`), where, `1 ("axes")`) : undefined;
}

/** A constant's dims without the given axes (all of size 1 when none are named). */
function squeezedDims(dims: readonly number[], axes: readonly number[] | undefined, where: string): number[] {
  if (!axes) return dims.filter((d) => d !== 1);
  const drop = new Set(axes.map((a) => normalizeAxis(a, dims.length, where)));
  return dims.filter((_, i) => !drop.has(i));
}

const identity: OpRule = (ctx, node, where) =>
  rearrange(
    ctx,
    node,
    where,
    (axes) => [...axes],
    (c) => c,
  );

/** Rules of the operators that move axes around: between stacked layers, around a layout, before a head. */
export const glueRules: Readonly<Record<string, OpRule>> = {
  Identity: identity,
  Transpose: (ctx, node, where) => {
    const perm = attributesOf(node).ints("perm");
    return rearrange(
      ctx,
      node,
      where,
      (axes) => transposeAxes(axes, perm, where),
      (c) => transposeConstant(c, perm ?? c.dims.map((_, i) => c.dims.length - 1 - i), `the output of ${where}`),
    );
  },
  Squeeze: (ctx, node, where) => {
    const axes = axesOperand(ctx, node, where);
    return rearrange(
      ctx,
      node,
      where,
      (from, sizes) => {
        if (!axes) throw new OnnxImportError(`${where}: names no axes, so which it removes would depend on the batch and sequence sizes`);
        return squeezeAxes(from, axes, sizes, ctx.binding, where);
      },
      (c) => redimConstant(c, squeezedDims(c.dims, axes, where), `the output of ${where}`),
    );
  },
  Unsqueeze: (ctx, node, where) => {
    const axes = axesOperand(ctx, node, where);
    if (!axes) throw new OnnxImportError(`${where}: names no axes`);
    const v = ctx.input(node, 0, where);
    // an initial state [B, H] as one entry of a direction axis, as unroll's export writes it
    if (v?.kind === "feed" && !v.ids && v.rank === 2 && axes.length === 1) {
      return [{ kind: "stateFeeds", dirAxis: normalizeAxis(axes[0], 3, where), ranges: [{ feed: v.name, start: 0, end: 1, whole: true }] }];
    }
    return rearrange(
      ctx,
      node,
      where,
      (from) => unsqueezeAxes(from, axes, where),
      (c) => {
        const rank = c.dims.length + axes.length;
        const at = new Set(axes.map((a) => normalizeAxis(a, rank, where)));
        const dims: number[] = [];
        let k = 0;
        for (let i = 0; i < rank; i++) dims.push(at.has(i) ? 1 : c.dims[k++]);
        return redimConstant(c, dims, `the output of ${where}`);
      },
    );
  },
  Reshape: (ctx, node, where) => {
    const target = intsOf(constantInput(ctx, node, 1, where, `1 ("shape")`), where, `1 ("shape")`);
    const allowzero = (attributesOf(node).int("allowzero", 0) ?? 0) !== 0;
    return rearrange(
      ctx,
      node,
      where,
      (from, sizes) => reshapeAxes(from, target, sizes, ctx.binding, where, allowzero),
      (c) => redimConstant(c, reshapeDims(c.dims, target, allowzero, where), `the output of ${where}`),
    );
  },
  Flatten: (ctx, node, where) => {
    const axis = attributesOf(node).int("axis", 1) ?? 1;
    return rearrange(
      ctx,
      node,
      where,
      (from) => flattenAxes(from, axis, where),
      (c) => {
        const a = axis < 0 ? axis + c.dims.length : axis;
        const size = (d: readonly number[]) => d.reduce((x, y) => x * y, 1);
        return redimConstant(c, [size(c.dims.slice(0, a)), size(c.dims.slice(a))], `the output of ${where}`);
      },
    );
  },
  Constant: (_ctx, node, where) => [{ kind: "constant", tensor: constantOfNode(node, where) }],
  // PyTorch's zero initial states: zeros of a shape computed from x's (which the import need not follow)
  ConstantOfShape: (_ctx, node, where) => {
    const value = attributesOf(node).tensor("value");
    const c = value ? constantOfTensor(value, `attribute "value" of ${where}`) : undefined;
    if (c && c.values.some((v) => v !== 0))
      throw new OnnxImportError(`${where}: fills with ${c.values[0]}; unroll's import reads ConstantOfShape of zeros only`);
    return [{ kind: "zeros", what: `the zeros of ${where}` }];
  },
  Expand: (ctx, node, where) => {
    const v = ctx.input(node, 0, where);
    if (v?.kind !== "zeros") throw new OnnxImportError(`${where}: expands ${v ? valueText(v) : "nothing"}; unroll's import reads Expand of zeros only`);
    return [v];
  },
  Slice: (ctx, node, where) => sliceRule(ctx, node, where),
  Concat: (ctx, node, where) => concatRule(ctx, node, where),
};

/** Slice: of zeros (zeros), or of a graph input along one axis (PyTorch's per-layer initial states out of one `h0`). */
function sliceRule(ctx: ImportContext, node: OnnxNode, where: string): ImportValue[] {
  const v = ctx.input(node, 0, where);
  if (v?.kind === "zeros") return [v];
  if (v?.kind !== "feed") {
    throw new OnnxImportError(
      `${where}: slices ${v ? valueText(v) : "nothing"}; unroll's import reads whole sequences (a Slice of zeros, or of a graph input that holds initial states)`,
    );
  }
  const a = attributesOf(node);
  const read = (i: number, attr: string): number[] | undefined =>
    ctx.opset < 10 ? a.ints(attr) : node.input?.[i] ? intsOf(constantInput(ctx, node, i, where, `${i} ("${attr}")`), where, `${i} ("${attr}")`) : undefined;
  const starts = read(1, "starts") ?? [];
  const ends = read(2, "ends") ?? [];
  const axes = read(3, "axes") ?? starts.map((_, i) => i);
  const steps = read(4, "steps") ?? starts.map(() => 1);
  if (starts.length !== 1 || axes.length !== 1 || ends.length !== 1 || steps[0] !== 1 || starts[0] < 0 || ends[0] <= starts[0]) {
    throw new OnnxImportError(
      `${where}: slices the graph input "${v.name}" by starts [${starts.join(", ")}], ends [${ends.join(", ")}], axes [${axes.join(", ")}], steps [${steps.join(", ")}]; unroll's import reads a slice [start, end) of one axis, step 1`,
    );
  }
  const rank = v.rank ?? 3;
  return [{ kind: "stateFeeds", dirAxis: normalizeAxis(axes[0], rank, where), ranges: [{ feed: v.name, start: starts[0], end: ends[0], whole: false }] }];
}

/** Concat of final states along their direction axis (PyTorch's `h_n` of a stack), or of initial states from graph inputs. */
function concatRule(ctx: ImportContext, node: OnnxNode, where: string): ImportValue[] {
  const values = (node.input ?? []).map((name) => (name ? ctx.value(name, where) : undefined));
  if (values.length > 0 && values.every((v) => v?.kind === "stateFeeds")) {
    const feeds = values as Extract<ImportValue, { kind: "stateFeeds" }>[];
    const axis = attributesOf(node).int("axis", 0) ?? 0;
    if (feeds.some((f) => normalizeAxis(axis, 3, where) !== f.dirAxis)) {
      throw new OnnxImportError(`${where}: joins initial states along axis ${axis}, not their direction axis ${feeds[0].dirAxis}`);
    }
    return [{ kind: "stateFeeds", dirAxis: feeds[0].dirAxis, ranges: feeds.flatMap((f) => f.ranges) }];
  }
  const parts = values.map((v, i) => {
    if (v?.kind !== "tensor" || v.source.kind !== "final") {
      throw new OnnxImportError(`${where}: concatenates ${v ? valueText(v) : "nothing"} (input ${i}); unroll's import reads a Concat of final states only`);
    }
    return { ...v, source: v.source };
  });
  if (parts.length === 0) throw new OnnxImportError(`${where}: has no inputs`);
  const first = parts[0];
  const axis = normalizeAxis(attributesOf(node).int("axis", 0) ?? 0, first.axes.length, where);
  const shape = (t: TensorValue) => t.axes.map((ax, i) => (i === axis ? "*" : meaningOf(ax, t.sizes, ctx.binding).join("×"))).join(", ");
  for (const [i, p] of parts.entries()) {
    const along = meaningOf(p.axes[axis], p.sizes, ctx.binding);
    if (along.some((x) => x !== "direction") || p.axes.length !== first.axes.length || shape(p) !== shape(first)) {
      throw new OnnxImportError(`${where}: input ${i} is not joined along the direction axis of final states of the same shape as input 0`);
    }
    if (p.source.cell !== first.source.cell || p.sizes.hidden !== first.sizes.hidden) {
      throw new OnnxImportError(`${where}: input ${i} holds other states than input 0 (hidden states with cell states, or another hidden size)`);
    }
  }
  const states = parts.flatMap((p) => p.source.states);
  const layers = parts.flatMap((p) => p.source.layers);
  const axes = first.axes.map((ax, i) => (i === axis ? (["direction"] as Axis) : ax));
  return [{ kind: "tensor", source: { kind: "final", states, layers, cell: first.source.cell }, axes, sizes: { ...first.sizes, direction: states.length } }];
}
