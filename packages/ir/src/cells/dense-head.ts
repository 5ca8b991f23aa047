import type { GraphBuilder } from "../builder.js";
import { activate, type HeadActivation } from "./activation.js";
import { checkLayerInput } from "./cell-options.js";

/** Options of {@link denseHead}. */
export interface DenseHeadOptions {
  /** Prefix of the head's params, e.g. `"head"`. */
  readonly name: string;
  /** Value id of the features, shape `["B", inputSize]`. */
  readonly input: string;
  /** Width of the input (the last layer's hidden size). */
  readonly inputSize: number;
  /** Number O of outputs (classes, for softmax). */
  readonly units: number;
  /** The output nonlinearity. */
  readonly activation: HeadActivation;
}

/** The two values a dense head produces. */
export interface DenseHead {
  /** `input · W + b`, shape `[B, O]`: what a cross-entropy loss consumes. */
  readonly logits: string;
  /** `activation(logits)`; the logits themselves for `"linear"`. */
  readonly output: string;
}

/**
 * A dense layer applied at every step. Declares params `${name}.W` [inputSize, O]
 * and `${name}.b` [O]:
 *
 * ```
 * logits = input W + b
 * output = activation(logits)
 * ```
 */
export function denseHead(b: GraphBuilder, opts: DenseHeadOptions): DenseHead {
  const { name, input, inputSize, units } = opts;
  checkLayerInput(b, `denseHead "${name}"`, input, { inputSize, units });
  const w = b.param(`${name}.W`, [inputSize, units]);
  const bias = b.param(`${name}.b`, [units]);
  const logits = b.node("add", [b.matmul(input, w), bias], undefined, `${name}.logits`);
  return { logits, output: activate(b, logits, opts.activation, `${name}.output`) };
}
