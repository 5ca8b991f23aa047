import { z } from "zod";
import { LeafInitSchema, type LeafInitializer } from "../init-spec.js";
import { SizeSchema } from "../size.js";

/**
 * An embedding of token ids: the model reads `"x"` as ids `[B]` (integers in
 * `[0, vocab)`) and feeds the first layer row `ids[i]` of a param
 * `embedding.table` `[vocab, units]` (the `gather` op), instead of one-hot rows.
 */
export const EmbeddingSpecSchema = z
  .object({
    /** Number of distinct token ids V; the model's `input` must equal it. */
    vocab: SizeSchema,
    /** Width of each token's vector, the first layer's input width. */
    units: SizeSchema,
    /** Initializer of the table; standard normal by default, as PyTorch's `nn.Embedding`. */
    init: LeafInitSchema.optional(),
  })
  .strict();

/** An embedding; see {@link EmbeddingSpecSchema}. */
export type EmbeddingSpec = z.infer<typeof EmbeddingSpecSchema>;

/** The param that holds the embedding table. */
export const EMBEDDING_TABLE = "embedding.table";

/** The initializer of the embedding table. */
export function embeddingInit(spec: EmbeddingSpec): LeafInitializer {
  return spec.init ?? { kind: "normal", std: 1 };
}
