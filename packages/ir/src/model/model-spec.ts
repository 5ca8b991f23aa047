import { z } from "zod";
import { SizeSchema } from "../size.js";
import { EmbeddingSpecSchema } from "./embedding-spec.js";
import { GATES, HeadInitSchema, LayerInitSchema } from "./layer-init.js";
import { DropoutRateSchema } from "../dropout.js";

/** The version tag of a model spec document. */
export const MODEL_FORMAT = "unroll.model/1";

/**
 * One recurrent layer. `activation` applies to `rnn` only (default `"tanh"`),
 * `resetAfter` to `gru` only (default `true`, as PyTorch); giving either to
 * another cell is an error rather than silently ignored.
 */
export const LayerSpecSchema = z
  .object({
    /** The recurrent cell. */
    cell: z.enum(["rnn", "lstm", "gru"]),
    /** Hidden size H. */
    hidden: SizeSchema,
    /** rnn only: the nonlinearity f (default tanh). */
    activation: z.enum(["tanh", "relu", "sigmoid"]).optional(),
    /** Add a reverse direction; the output is concat(h, h_reverse), width 2H. */
    bidirectional: z.boolean().optional(),
    /** Scan the sequence from its last step to its first (ONNX's `direction: "reverse"`); default `"forward"`. */
    direction: z.enum(["forward", "reverse"]).optional(),
    /** gru only: apply the reset gate after the recurrent matmul (default true, as PyTorch). */
    resetAfter: z.boolean().optional(),
    /** Layer-normalize the input and recurrent projections (and an lstm's cell state), as PyTorch's LayerNormLSTMCell. */
    layerNorm: z.boolean().optional(),
    /** Optional initializers of the layer's params (see `LayerInitSchema`). */
    init: LayerInitSchema.optional(),
    /** Dropout on the layer's input x_t in training, a rate in [0, 1) (default 0). */
    dropout: DropoutRateSchema.optional(),
    /** One input dropout mask for every step of a sequence (default false). */
    variational: z.boolean().optional(),
    /** Variational dropout on h_{t-1} where it enters the recurrence (`h_{t-1} W_re`), a rate in [0, 1) (default 0). */
    recurrentDropout: DropoutRateSchema.optional(),
  })
  .strict()
  .superRefine((layer, ctx) => {
    if (layer.variational !== undefined && !layer.dropout) {
      ctx.addIssue({
        code: "custom",
        path: ["variational"],
        message: `"variational" applies to a layer with "dropout" above 0 (the input dropout it makes variational)`,
      });
    }
    if (layer.activation !== undefined && layer.cell !== "rnn") {
      ctx.addIssue({
        code: "custom",
        path: ["activation"],
        message: `"activation" applies to rnn layers only, not ${layer.cell} (its gates have fixed nonlinearities)`,
      });
    }
    if (layer.direction === "reverse" && layer.bidirectional) {
      ctx.addIssue({
        code: "custom",
        path: ["direction"],
        message: `"direction": "reverse" applies to a one-direction layer; a bidirectional layer already has a reverse direction`,
      });
    }
    if (layer.resetAfter !== undefined && layer.cell !== "gru") {
      ctx.addIssue({ code: "custom", path: ["resetAfter"], message: `"resetAfter" applies to gru layers only, not ${layer.cell}` });
    }
    if (layer.layerNorm && layer.cell === "gru" && layer.resetAfter === false) {
      ctx.addIssue({ code: "custom", path: ["layerNorm"], message: `"layerNorm" on a gru layer needs resetAfter true (the default)` });
    }
    if (layer.init?.forgetBias !== undefined && layer.cell !== "lstm") {
      ctx.addIssue({
        code: "custom",
        path: ["init", "forgetBias"],
        message: `"forgetBias" applies to lstm layers only, not ${layer.cell} (it has no forget gate)`,
      });
    }
    // the cell's gates side by side (4H for lstm, 3H for gru) and both directions (2H) are widths too
    const widest = layer.hidden * GATES[layer.cell] * (layer.bidirectional ? 2 : 1);
    if (Number.isSafeInteger(layer.hidden) && !Number.isSafeInteger(widest)) {
      ctx.addIssue({
        code: "custom",
        path: ["hidden"],
        message: `a${layer.cell === "rnn" ? "n" : ""} ${layer.cell} layer${layer.bidirectional ? " in both directions" : ""} of hidden ${layer.hidden} has values ${widest} wide, above ${Number.MAX_SAFE_INTEGER}`,
      });
    }
  });

/** A dense layer applied to the last layer's output at every step. */
export const HeadSpecSchema = z
  .object({
    /** Output width O. */
    units: SizeSchema,
    /** Output nonlinearity. */
    activation: z.enum(["linear", "sigmoid", "tanh", "softmax"]),
    /** Optional initializers of the head's params (see `HeadInitSchema`). */
    init: HeadInitSchema.optional(),
    /** Dropout on the head's input in training, a rate in [0, 1) (default 0). */
    dropout: DropoutRateSchema.optional(),
  })
  .strict();

/**
 * A recurrent model as data: an input width, a stack of layers, an optional
 * dense head and an optional per-step loss. `compileModel` turns it into a program.
 *
 * ```json
 * { "input": 3, "layers": [{ "cell": "lstm", "hidden": 8, "bidirectional": true }],
 *   "head": { "units": 2, "activation": "softmax" }, "loss": "cross_entropy" }
 * ```
 *
 * `"mse"` compares the head's output (or, without a head, the last layer's
 * output) with targets `[B, O]`; `"cross_entropy"` needs a softmax head and
 * class ids `[B]` as targets.
 */
export const ModelSpecSchema = z
  .object({
    /** Optional version tag, `"unroll.model/1"`. */
    format: z.literal(MODEL_FORMAT).optional(),
    /** Input width I; with an embedding, the number of token ids (its vocab). */
    input: SizeSchema,
    /** Recurrent layers, bottom first. */
    layers: z.array(LayerSpecSchema).min(1, "a model needs at least one layer"),
    /** Optional dense output layer. */
    head: HeadSpecSchema.optional(),
    /** Optional per-step loss. */
    loss: z.enum(["mse", "cross_entropy"]).optional(),
    /** Optional embedding: `x` is token ids `[B]` instead of vectors (see `EmbeddingSpecSchema`). */
    embedding: EmbeddingSpecSchema.optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.embedding && spec.embedding.vocab !== spec.input) {
      ctx.addIssue({
        code: "custom",
        path: ["input"],
        message: `with an embedding, "input" is the number of token ids and must equal embedding.vocab (${spec.embedding.vocab}), got ${spec.input}`,
      });
    }
    if (spec.loss !== "cross_entropy") return;
    if (spec.head === undefined) {
      ctx.addIssue({ code: "custom", path: ["loss"], message: `loss "cross_entropy" needs a head with activation "softmax"` });
    } else if (spec.head.activation !== "softmax") {
      ctx.addIssue({
        code: "custom",
        path: ["head", "activation"],
        message: `loss "cross_entropy" needs activation "softmax", got "${spec.head.activation}"`,
      });
    }
  });

// Interfaces over the inferred types, so that a package whose API names them (@unroll/interop's imports) links to
// them in the API reference instead of spelling out every field again (typedoc expands an inferred alias).
/* eslint-disable @typescript-eslint/no-empty-object-type */
/** A model spec; see {@link ModelSpecSchema}. */
export interface ModelSpec extends z.infer<typeof ModelSpecSchema> {}
/** One layer of a model spec; see {@link LayerSpecSchema}. */
export interface LayerSpec extends z.infer<typeof LayerSpecSchema> {}
/** The head of a model spec; see {@link HeadSpecSchema}. */
export interface HeadSpec extends z.infer<typeof HeadSpecSchema> {}
/* eslint-enable @typescript-eslint/no-empty-object-type */
