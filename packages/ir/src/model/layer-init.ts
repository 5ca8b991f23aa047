import { z } from "zod";
import { LAYER_NORMS } from "../cells/cell-options.js";
import { LeafInitSchema, type Initializer, type LeafInitializer, type ParamInits } from "../init-spec.js";

/** How many H-wide gates each cell computes side by side (`rnn` 1, `lstm` i f g o, `gru` r z n). */
export const GATES = { rnn: 1, lstm: 4, gru: 3 } as const;

/**
 * The initializers of one recurrent layer. Each applies to every gate's block
 * on its own (an LSTM's `W_re` [H, 4H] is four orthogonal [H, H] blocks; a
 * glorot bound uses fan_out H); parts left out keep `initParams`' default.
 */
export const LayerInitSchema = z
  .object({
    /** `W_in` [I, gates·H]. */
    inputWeights: LeafInitSchema.optional(),
    /** `W_re` [H, gates·H]; `{ "kind": "orthogonal" }` is the usual choice. */
    recurrentWeights: LeafInitSchema.optional(),
    /** `b` (rnn, lstm), or both `b_in` and `b_re` (gru). */
    bias: LeafInitSchema.optional(),
    /** lstm only: the forget gate's block of `b`, exactly this value (1 as Jozefowicz et al. and Keras' `unit_forget_bias`). */
    forgetBias: z.number().refine(Number.isFinite, { message: "must be a finite number" }).optional(),
  })
  .strict();

/** The initializers of a dense head; parts left out keep the default. */
export const HeadInitSchema = z
  .object({
    /** `W` [inputSize, O]. */
    weights: LeafInitSchema.optional(),
    /** `b` [O]. */
    bias: LeafInitSchema.optional(),
  })
  .strict();

/** A layer's initializers; see {@link LayerInitSchema}. */
export type LayerInit = z.infer<typeof LayerInitSchema>;
/** A head's initializers; see {@link HeadInitSchema}. */
export type HeadInit = z.infer<typeof HeadInitSchema>;

/** One leaf per gate block, or the leaf alone for a one-gate cell. */
function perGate(leaf: LeafInitializer, gates: number): Initializer {
  return gates === 1 ? leaf : { kind: "blocks", blocks: Array.from({ length: gates }, () => leaf) };
}

/**
 * The program initializers of one direction of a layer `name` (params
 * `${name}.W_in${suffix}` and so on), for a layer of `hidden` units.
 */
export function layerParamInits(cell: keyof typeof GATES, hidden: number, init: LayerInit, name: string, suffix: string): ParamInits {
  const gates = GATES[cell];
  const out: ParamInits = {};
  if (init.inputWeights) out[`${name}.W_in${suffix}`] = perGate(init.inputWeights, gates);
  if (init.recurrentWeights) out[`${name}.W_re${suffix}`] = perGate(init.recurrentWeights, gates);
  if (cell === "gru") {
    if (init.bias) out[`${name}.b_in${suffix}`] = out[`${name}.b_re${suffix}`] = perGate(init.bias, gates);
    return out;
  }
  if (init.forgetBias !== undefined) {
    // the other gates keep their bias initializer, or the default uniform(±1/sqrt(H)) of initParams
    const bound = 1 / Math.sqrt(hidden);
    const rest: LeafInitializer = init.bias ?? { kind: "uniform", low: -bound, high: bound };
    out[`${name}.b${suffix}`] = { kind: "blocks", blocks: [rest, { kind: "constant", value: init.forgetBias }, rest, rest] };
  } else if (init.bias) {
    out[`${name}.b${suffix}`] = perGate(init.bias, gates);
  }
  return out;
}

/** The gains (1) and biases (0) of a layer's layer normalizations, which start as the identity. */
export function layerNormInits(cell: keyof typeof GATES, name: string, suffix: string): ParamInits {
  const out: ParamInits = {};
  for (const id of LAYER_NORMS[cell]) {
    out[`${name}.${id}.gain${suffix}`] = { kind: "constant", value: 1 };
    out[`${name}.${id}.bias${suffix}`] = { kind: "zeros" };
  }
  return out;
}

/** The program initializers of a dense head `name`. */
export function headParamInits(init: HeadInit, name: string): ParamInits {
  return {
    ...(init.weights ? { [`${name}.W`]: init.weights } : {}),
    ...(init.bias ? { [`${name}.b`]: init.bias } : {}),
  };
}
