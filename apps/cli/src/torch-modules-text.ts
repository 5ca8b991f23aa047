import type { TorchRecurrentModule } from "@unroll/interop";

/** The PyTorch constructors that load a state_dict, as a user would write them. */
export function torchModules(m: TorchRecurrentModule): string {
  const cls = { rnn: "nn.RNN", lstm: "nn.LSTM", gru: "nn.GRU" }[m.cell];
  const args = [`${m.inputSize}`, `${m.hiddenSize}`, `num_layers=${m.numLayers}`];
  if (m.bidirectional) args.push("bidirectional=True");
  if (m.nonlinearity && m.nonlinearity !== "tanh") args.push(`nonlinearity="${m.nonlinearity}"`);
  const parts = [`${m.prefix || "(no prefix)"}: ${cls}(${args.join(", ")})`];
  if (m.embedding) parts.unshift(`${m.embedding.prefix}: nn.Embedding(${m.embedding.numEmbeddings}, ${m.embedding.embeddingDim})`);
  if (m.head) parts.push(`${m.head.prefix}: nn.Linear(${m.head.inFeatures}, ${m.head.outFeatures}) then ${m.head.activation}`);
  return parts.join(", ");
}
