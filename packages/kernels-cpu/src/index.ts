/**
 * `@unroll/kernels-cpu`: the reference forward kernels, one per op, plain
 * loops over typed arrays in float32 and float64. The readable specification
 * of every op's forward semantics; the CPU device runs them, and any device
 * whose memory is the host's can.
 *
 * Guides: [adding an op](../../../docs/guides/adding-an-op.md) (a kernel per op), [writing a backend](../../../docs/guides/writing-a-backend.md).
 * @packageDocumentation
 */
import { add } from "./add.js";
import { broadcastTo } from "./broadcast-to.js";
import { concat } from "./concat.js";
import { constant } from "./constant.js";
import { countOf } from "./count-of.js";
import { div } from "./div.js";
import { exp } from "./exp.js";
import { gather } from "./gather.js";
import { identity } from "./identity.js";
import type { KernelTable } from "./kernel.js";
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

export type { Kernel, KernelTable } from "./kernel.js";

/** The CPU forward kernels, one per op; the readable specification of every op's forward semantics. */
export const cpuKernels: KernelTable = {
  // linear algebra
  matmul,
  // elementwise arithmetic (NumPy broadcasting)
  add,
  sub,
  mul,
  div,
  neg,
  // elementwise nonlinearities
  tanh,
  sigmoid,
  relu,
  step,
  exp,
  log,
  rsqrt,
  // last-axis normalizations
  softmax,
  logSoftmax,
  // last-axis layout
  concat,
  slice,
  pad,
  transpose,
  // reductions and their adjoints
  sum,
  mean,
  sumTo,
  broadcastTo,
  reshape,
  countOf,
  // sources and plumbing
  constant,
  identity,
  oneHot,
  gather,
  // per-row losses, shape [B]
  mse,
  softmaxCrossEntropy,
};
