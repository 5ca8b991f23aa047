import { checkProgram, GraphBuilder, programOfGraph, type ModelSpec } from "@unroll/ir";
import { H, I, O, spec, type ModelCase } from "./models.js";

type Activation = "tanh" | "relu" | "sigmoid";
const ACTIVATIONS: readonly Activation[] = ["tanh", "relu", "sigmoid"];

/**
 * A custom cell with two states of different widths and a non-zero init, built
 * from the ops of a plain tanh rnn only (matmul, add, tanh):
 * ```
 * h'  = tanh(x W_x + h W_h + c W_ch + b)     [B, H]
 * c'  = tanh(c W_cc + h' W_hc)               [B, 2], init 0.1
 * out = h' W_out + b_out,  loss = mse(out, y)
 * ```
 * Two states are what the carried-state, checkpoint and split-batch checks need
 * (one state mixed up with the other shows), at the cost of a plain rnn.
 */
export function twoStateCell(): ModelCase {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", I]);
  const y = b.input("y", ["B", O]);
  const h = b.carry("h", ["B", H]);
  const c = b.carry("c", ["B", 2], 0.1);
  const pre = b.add(b.add(b.matmul(x, b.param("W_x", [I, H])), b.matmul(h, b.param("W_h", [H, H]))), b.matmul(c, b.param("W_ch", [2, H])));
  const hNext = b.tanh(b.add(pre, b.param("b", [H])));
  const cNext = b.tanh(b.add(b.matmul(c, b.param("W_cc", [2, 2])), b.matmul(hNext, b.param("W_hc", [H, 2]))));
  b.update(h, hNext);
  b.update(c, cNext);
  const out = b.add(b.matmul(hNext, b.param("W_out", [H, O])), b.param("b_out", [O]));
  b.output("output", out);
  b.loss(b.mse(out, y));
  return { name: "two-state tanh cell (GraphBuilder), mse", program: checkProgram(programOfGraph(b.toGraph("two-state tanh cell"))), causal: true };
}

/** `s` with each activation of its rnn layers in turn, tanh first: fallbacks for a backend without one of them. */
function everyActivation(label: (a: Activation) => string, s: (a: Activation) => ModelSpec): ModelCase[] {
  return ACTIVATIONS.map((a) => spec(label(a), s(a)));
}

const linear = { units: O, activation: "linear" } as const;

/**
 * Models for checks about time and rows, not about cells (truncation, masks,
 * lifecycle), simplest first: the two-state tanh cell, then plain rnns with the
 * other activations.
 */
export function causalCandidates(): readonly ModelCase[] {
  const rnns = everyActivation(
    (a) => `rnn ${a}, linear head, mse`,
    (activation) => ({ input: I, layers: [{ cell: "rnn", hidden: H, activation }], head: linear, loss: "mse" }),
  );
  return [twoStateCell(), ...rnns.slice(1)];
}

/**
 * Bidirectional models (a reverse stage read by the head), simplest first: a
 * softmax head with cross-entropy on class ids, then mse, each with every rnn
 * activation.
 */
export function bidirectionalCandidates(): readonly ModelCase[] {
  const layers = (activation: Activation) => [{ cell: "rnn" as const, hidden: H, activation, bidirectional: true }];
  return [
    ...everyActivation(
      (a) => `bidirectional rnn ${a}, softmax head, cross_entropy`,
      (a) => ({ input: I, layers: layers(a), head: { units: O + 1, activation: "softmax" }, loss: "cross_entropy" }),
    ),
    ...everyActivation(
      (a) => `bidirectional rnn ${a}, linear head, mse`,
      (a) => ({ input: I, layers: layers(a), head: linear, loss: "mse" }),
    ),
  ];
}

/**
 * A second, different program (other widths, a single state) to interleave with
 * a first one, simplest first: cross-entropy, then mse, each with every rnn activation.
 */
export function secondProgramCandidates(): readonly ModelCase[] {
  const layers = (activation: Activation) => [{ cell: "rnn" as const, hidden: 2, activation }];
  return [
    ...everyActivation(
      (a) => `rnn ${a} (input 2, hidden 2), softmax head, cross_entropy`,
      (a) => ({ input: 2, layers: layers(a), head: { units: 3, activation: "softmax" }, loss: "cross_entropy" }),
    ),
    ...everyActivation(
      (a) => `rnn ${a} (input 2, hidden 2), linear head, mse`,
      (a) => ({ input: 2, layers: layers(a), head: { units: 3, activation: "linear" }, loss: "mse" }),
    ),
  ];
}

/** A plain rnn (input 3, hidden 3, a linear head of 2, mse) with each activation, tanh first: the same param names and shapes in each. */
export function plainRnnCandidates(): readonly ModelCase[] {
  return everyActivation(
    (a) => `rnn ${a}, linear head, mse`,
    (activation) => ({ input: I, layers: [{ cell: "rnn", hidden: H, activation }], head: linear, loss: "mse" }),
  );
}
