import type { NodeOf, OpKind, Shape } from "@unroll/ir";
import { pyNumber, pyTuple } from "./python.js";

/**
 * Where a node is written: the Python names of its inputs and their shapes.
 * The code around it defines `B` (the batch size), `t` (the step), `dt` (the
 * dtype and device as keyword arguments), `torch`, `F` (`torch.nn.functional`)
 * and the helpers `_ids`, `_mse` and `_matmul_ta` of the generated file.
 */
export interface OpSite {
  /** Python variables holding the node's inputs, in order. */
  readonly args: readonly string[];
  /** The inputs' shapes as the step graph's check inferred them. */
  readonly shapes: readonly Shape[];
  /** A Python string literal naming the node in run-time errors, e.g. `"node \"emb\" (gather)"`. */
  readonly where: string;
}

/** The Python expression of one op: the torch operation with our CPU kernel's semantics (`packages/kernels-cpu/src/`). */
export type TorchOp<K extends OpKind> = (node: NodeOf<K>, site: OpSite) => string;

/** The axes a `sum`, `mean` or `countOf` covers, non-negative, sorted and once each (all axes by default). */
function reducedAxes(axes: readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return [...Array(rank).keys()];
  return [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
}

/** `x.sum(...)` or `x.mean(...)` over the axes of a reduction node; no axes leave x as it is. */
function reduction(method: "sum" | "mean", x: string, rank: number, attrs: { axes?: number[]; keepDims?: boolean } | undefined): string {
  const axes = reducedAxes(attrs?.axes, rank);
  if (axes.length === 0) return x;
  const keepDims = attrs?.keepDims ?? false;
  if (attrs?.axes === undefined && !keepDims) return `${x}.${method}()`;
  return `${x}.${method}(dim=${pyTuple(axes)}, keepdim=${keepDims ? "True" : "False"})`;
}

/** The fixed size of a dimension the op's shape rule requires to be fixed (a table's rows, a class count). */
function fixed(d: Shape[number] | undefined, what: string): number {
  if (typeof d !== "number") throw new Error(`${what} must be a fixed size, got ${String(d)}`);
  return d;
}

/**
 * Every op of the op set as a torch expression, with the forward semantics of
 * the CPU kernels and, through autograd, the gradients of the op's VJP rule
 * (a `none` gradient of the op table is an input torch sees only through its
 * shape or as integer ids). The type makes a missing op a compile error.
 */
export const torchOps: { readonly [K in OpKind]: TorchOp<K> } = {
  // linear algebra: a's leading axes are rows; with transposeA they are contracted with b's
  matmul: (n, { args: [a, b], shapes: [sa] }) => {
    const tA = n.attrs?.transposeA ?? false;
    const tB = n.attrs?.transposeB ?? false;
    if (!tA) return `torch.matmul(${a}, ${tB ? `${b}.t()` : b})`;
    if (tB) return `torch.matmul(${a}.t(), ${b}.t())`;
    return sa.length === 2 ? `torch.matmul(${a}.t(), ${b})` : `_matmul_ta(${a}, ${b})`;
  },
  // elementwise arithmetic: torch broadcasts as NumPy does
  add: (_n, { args: [a, b] }) => `${a} + ${b}`,
  sub: (_n, { args: [a, b] }) => `${a} - ${b}`,
  mul: (_n, { args: [a, b] }) => `${a} * ${b}`,
  div: (_n, { args: [a, b] }) => `${a} / ${b}`,
  neg: (_n, { args: [x] }) => `-${x}`,
  // elementwise nonlinearities
  tanh: (_n, { args: [x] }) => `torch.tanh(${x})`,
  sigmoid: (_n, { args: [x] }) => `torch.sigmoid(${x})`,
  // torch's relu has gradient 0 at 0, as ours
  relu: (_n, { args: [x] }) => `torch.relu(${x})`,
  // a comparison: no gradient, as the op's rule
  step: (_n, { args: [x] }) => `(${x} > 0).to(${x}.dtype)`,
  exp: (_n, { args: [x] }) => `torch.exp(${x})`,
  log: (_n, { args: [x] }) => `torch.log(${x})`,
  rsqrt: (_n, { args: [x] }) => `torch.rsqrt(${x})`,
  // last-axis normalizations, stable in torch as in the kernels
  softmax: (_n, { args: [x] }) => `torch.softmax(${x}, -1)`,
  logSoftmax: (_n, { args: [x] }) => `torch.log_softmax(${x}, -1)`,
  // last-axis layout
  concat: (_n, { args }) => `torch.cat([${args.join(", ")}], -1)`,
  slice: (n, { args: [x] }) => `${x}[..., ${n.attrs.start}:${n.attrs.end}]`,
  pad: (n, { args: [x] }) => `F.pad(${x}, (${n.attrs.before}, ${n.attrs.after}))`,
  transpose: (n, { args: [x] }) => `${x}.permute(${pyTuple(n.attrs.perm)})`,
  // reductions and their adjoints
  sum: (n, { args: [x], shapes: [s] }) => reduction("sum", x, s.length, n.attrs),
  mean: (n, { args: [x], shapes: [s] }) => reduction("mean", x, s.length, n.attrs),
  // the like operand is read for its shape only: no gradient reaches it
  sumTo: (_n, { args: [x, like] }) => `${x}.sum_to_size(${like}.shape)`,
  broadcastTo: (_n, { args: [x, like] }) => `${x}.expand(${like}.shape)`,
  reshape: (n, { args: [x] }) => `${x}.reshape(${pyTuple(n.attrs.shape.map((d) => (d === "B" ? "B" : d)))})`,
  countOf: (n, { args: [x], shapes: [s] }) => {
    const dims = reducedAxes(n.attrs?.axes, s.length).map((a) => `${x}.shape[${a}]`);
    return `torch.tensor(float(${dims.length === 0 ? "1" : dims.join(" * ")}), **dt)`;
  },
  // sources and plumbing
  constant: (n) => {
    const shape = pyTuple(n.attrs.shape ?? []);
    if (n.attrs.values !== undefined) return `torch.tensor([${n.attrs.values.map(pyNumber).join(", ")}], **dt).reshape(${shape})`;
    return `torch.full(${shape}, ${pyNumber(n.attrs.value ?? 0)}, **dt)`;
  },
  identity: (_n, { args: [x] }) => x,
  oneHot: (n, { args: [ids], where }) => `F.one_hot(_ids(${ids}, ${n.attrs.depth}, ${where}, t), ${n.attrs.depth}).to(${ids}.dtype)`,
  gather: (_n, { args: [table, ids], shapes: [st], where }) => `${table}[_ids(${ids}, ${fixed(st[0], "gather's table rows")}, ${where}, t)]`,
  // per-row losses
  mse: (_n, { args: [p, q] }) => `_mse(${p}, ${q})`,
  softmaxCrossEntropy: (_n, { args: [logits, ids], shapes: [sl], where }) =>
    `F.cross_entropy(${logits}, _ids(${ids}, ${fixed(sl[1], "softmaxCrossEntropy's class count")}, ${where}, t), reduction="none")`,
};
