import { z } from "zod";
import { input, type ScalarExpr } from "../scalar-expr.js";
import { add } from "./add.js";
import { broadcastTo } from "./broadcast-to.js";
import { concat } from "./concat.js";
import { constant } from "./constant.js";
import { countOf } from "./count-of.js";
import type { OpDef } from "./define.js";
import { div } from "./div.js";
import { exp } from "./exp.js";
import { gather } from "./gather.js";
import { identity } from "./identity.js";
import { log } from "./log.js";
import { logSoftmax } from "./log-softmax.js";
import { matmul } from "./matmul.js";
import { mean } from "./mean.js";
import { mse } from "./mse.js";
import { mul } from "./mul.js";
import { neg } from "./neg.js";
import { oneHot } from "./one-hot.js";
import { pad } from "./pad.js";
import { relu } from "./relu.js";
import { reshape } from "./reshape.js";
import { rsqrt } from "./rsqrt.js";
import { sigmoid } from "./sigmoid.js";
import { slice } from "./slice.js";
import { softmax } from "./softmax.js";
import { softmaxCrossEntropy } from "./softmax-cross-entropy.js";
import { step } from "./step.js";
import { sub } from "./sub.js";
import { sum } from "./sum.js";
import { sumTo } from "./sum-to.js";
import { tanh } from "./tanh.js";
import { transpose } from "./transpose.js";

/**
 * The op set: one closed discriminated union, and the table of contents of the IR.
 * Adding an op means a file in `ops/`, an entry here and in {@link ops}, and a
 * kernel in every backend (the compiler points at each place that is missing it;
 * `docs/guides/adding-an-op.md` has the checklist).
 */
export const NodeSchema = z.discriminatedUnion("op", [
  // linear algebra
  matmul.schema,
  // elementwise arithmetic (NumPy broadcasting)
  add.schema,
  sub.schema,
  mul.schema,
  div.schema,
  neg.schema,
  // elementwise nonlinearities
  tanh.schema,
  sigmoid.schema,
  relu.schema,
  step.schema,
  exp.schema,
  log.schema,
  rsqrt.schema,
  // last-axis normalizations
  softmax.schema,
  logSoftmax.schema,
  // last-axis layout
  concat.schema,
  slice.schema,
  pad.schema,
  transpose.schema,
  // reductions and their adjoints
  sum.schema,
  mean.schema,
  sumTo.schema,
  broadcastTo.schema,
  reshape.schema,
  countOf.schema,
  // sources and plumbing
  constant.schema,
  identity.schema,
  oneHot.schema,
  gather.schema,
  // per-row losses, shape [B]
  mse.schema,
  softmaxCrossEntropy.schema,
]);

/** One node of a step graph: an op, its id, the ids of its inputs and its attributes. */
export type Node = z.infer<typeof NodeSchema>;

/** The name of an op, e.g. `"matmul"`. */
export type OpKind = Node["op"];

/** The node type of one op. */
export type NodeOf<K extends OpKind> = Extract<Node, OpTag<K>>;

/** Matches nodes by op name. */
export interface OpTag<K extends OpKind> {
  /** The op. */
  op: K;
}

/** Every op's definition, keyed by op name; the type makes a missing op a compile error. */
export const ops: { readonly [K in OpKind]: OpDef<NodeOf<K>> } = {
  matmul,
  add,
  sub,
  mul,
  div,
  neg,
  tanh,
  sigmoid,
  relu,
  step,
  exp,
  log,
  rsqrt,
  softmax,
  logSoftmax,
  concat,
  slice,
  pad,
  transpose,
  sum,
  mean,
  sumTo,
  broadcastTo,
  reshape,
  countOf,
  constant,
  identity,
  oneHot,
  gather,
  mse,
  softmaxCrossEntropy,
};

/** All op names, in the order of the union. */
export const opKinds = Object.keys(ops) as OpKind[];

/** Looks up the definition of a node's op. */
export function opOf<K extends OpKind>(node: NodeOf<K>): OpDef<NodeOf<K>> {
  return ops[node.op as K] as OpDef<NodeOf<K>>;
}

/**
 * The scalar expression of an elementwise node, over its operands `{ input: k }`
 * (operand k is the node's k-th input), or undefined when its op is not elementwise.
 */
export function elementwiseOf(node: Node): ScalarExpr | undefined {
  return ops[node.op].elementwise?.(...node.inputs.map((_, k) => input(k)));
}
