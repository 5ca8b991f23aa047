import { GraphBuilder } from "../builder.js";
import { denseHead } from "../cells/dense-head.js";
import { gruCell } from "../cells/gru-cell.js";
import { lstmCell } from "../cells/lstm-cell.js";
import { rnnCell } from "../cells/rnn-cell.js";
import { checkProgram } from "../check-program.js";
import { GraphError } from "../errors.js";
import type { ParamInits } from "../init-spec.js";
import { PROGRAM_FORMAT, type Program, type Stage } from "../program.js";
import { describeZodError } from "../zod-path.js";
import { EMBEDDING_TABLE, embeddingInit, type EmbeddingSpec } from "./embedding-spec.js";
import { headParamInits, layerNormInits, layerParamInits } from "./layer-init.js";
import { ModelSpecSchema, type LayerSpec, type ModelSpec } from "./model-spec.js";

/** Parses JSON data into a model spec, or throws a {@link GraphError} naming the field at fault (`layers[0].hidden`). */
export function parseModelSpec(json: unknown): ModelSpec {
  const result = ModelSpecSchema.safeParse(json);
  if (!result.success) {
    const { path, message } = describeZodError(result.error, "", ModelSpecSchema, json);
    throw new GraphError(path, message);
  }
  return result.data;
}

/** Adds one direction of a layer to a stage; returns its new hidden value. */
function addCell(b: GraphBuilder, layer: LayerSpec, name: string, suffix: string, input: string, inputSize: number): string {
  const opts = {
    name,
    suffix,
    input: layerInput(b, layer, name, input),
    inputSize,
    hidden: layer.hidden,
    layerNorm: layer.layerNorm ?? false,
    recurrentDropout: layer.recurrentDropout,
  };
  switch (layer.cell) {
    case "rnn":
      return rnnCell(b, { ...opts, activation: layer.activation ?? "tanh" });
    case "lstm":
      return lstmCell(b, opts);
    case "gru":
      return gruCell(b, { ...opts, resetAfter: layer.resetAfter ?? true });
  }
}

/** A layer's input x_t under its dropout (the mask `${name}.dropout`, which both directions share), or x_t itself. */
function layerInput(b: GraphBuilder, layer: LayerSpec, name: string, input: string): string {
  return b.dropout(input, layer.dropout ?? 0, { variational: layer.variational ?? false, id: `${name}.dropout` });
}

/** The stage being filled: its builder, the value that feeds the next layer and its width. */
interface OpenStage {
  readonly b: GraphBuilder;
  value: string;
  width: number;
  /** False while the stage only passes its input sequence through. */
  computes: boolean;
}

/** A stage that starts from one input sequence. */
function openStage(seq: string, width: number): OpenStage {
  const b = new GraphBuilder();
  return { b, value: b.input(seq, ["B", width]), width, computes: false };
}

/** A stage that starts from token ids `"x"` `[B]` and looks up their rows of the embedding table. */
function openEmbeddingStage(spec: EmbeddingSpec): OpenStage {
  const b = new GraphBuilder();
  const ids = b.input("x", ["B"]);
  const value = b.node("gather", [b.param(EMBEDDING_TABLE, [spec.vocab, spec.units]), ids], undefined, "embedding.lookup");
  return { b, value, width: spec.units, computes: true };
}

/**
 * Compiles a model spec to a program. Data sequences: `"x"` `[B, input]` and,
 * with a loss, targets `"y"` (`[B, O]` for mse, class ids `[B]` for
 * cross_entropy). The program's output is the sequence `"output"`: the head's
 * output (probabilities for softmax), or the last layer's hidden state. With an
 * embedding, `"x"` is token ids `[B]` whose rows of `embedding.table` feed the
 * first layer (a bidirectional first layer reads them as `embedding.out`).
 *
 * Consecutive unidirectional layers and the head share one stage. A
 * bidirectional layer k ends the open stage (which outputs `layers.{k-1}.out`),
 * adds a forward stage (`layers.k.forward`) and a reverse stage
 * (`layers.k.reverse`, params and states suffixed `_reverse`) over the same
 * input, and opens a stage that concatenates the two (`layers.k.out`, width 2H).
 * A layer with `direction: "reverse"` ends the open stage the same way and adds
 * its reverse stage alone (`layers.k.reverse`, plain param and state names),
 * which the next stage reads.
 */
export function compileModel(spec: ModelSpec): Program {
  const m = parseModelSpec(spec);
  const stages: Stage[] = [];
  const init: ParamInits = {};
  if (m.embedding) init[EMBEDDING_TABLE] = embeddingInit(m.embedding);
  let cur = m.embedding ? openEmbeddingStage(m.embedding) : openStage("x", m.input);
  m.layers.forEach((layer, k) => {
    const name = `layers.${k}`;
    for (const suffix of layer.bidirectional ? ["", "_reverse"] : [""]) {
      if (layer.init) Object.assign(init, layerParamInits(layer.cell, layer.hidden, layer.init, name, suffix));
      if (layer.layerNorm) Object.assign(init, layerNormInits(layer.cell, name, suffix));
    }
    const reverseOnly = layer.direction === "reverse" && !layer.bidirectional;
    if (!layer.bidirectional && !reverseOnly) {
      cur.value = cur.b.scoped(name, () => addCell(cur.b, layer, name, "", cur.value, cur.width));
      cur.width = layer.hidden;
      cur.computes = true;
      return;
    }
    if (cur.computes) {
      const out = k === 0 ? "embedding.out" : `layers.${k - 1}.out`;
      cur.b.output(out, cur.value);
      stages.push({ graph: cur.b.toGraph(out) });
      cur = openStage(out, cur.width);
    }
    const seq = cur.value;
    // a reverse layer is the reverse half of a bidirectional one under the plain names: it has one direction
    const directions = reverseOnly
      ? ([["reverse", "", true]] as const)
      : ([
          ["forward", "", false],
          ["reverse", "_reverse", true],
        ] as const);
    for (const [dir, suffix, reverse] of directions) {
      const dirStage = openStage(seq, cur.width);
      const id = `${name}.${dir}`;
      dirStage.b.output(
        id,
        dirStage.b.scoped(name, () => addCell(dirStage.b, layer, name, suffix, dirStage.value, cur.width)),
      );
      stages.push(reverse ? { graph: dirStage.b.toGraph(id), reverse } : { graph: dirStage.b.toGraph(id) });
    }
    if (reverseOnly) {
      cur = openStage(`${name}.reverse`, layer.hidden);
      return;
    }
    const b = new GraphBuilder();
    const both = [b.input(`${name}.forward`, ["B", layer.hidden]), b.input(`${name}.reverse`, ["B", layer.hidden])];
    cur = { b, value: b.node("concat", both, undefined, `${name}.out`), width: 2 * layer.hidden, computes: true };
  });

  const { b } = cur;
  const headSpec = m.head;
  const head =
    headSpec &&
    b.scoped("head", () =>
      denseHead(b, {
        name: "head",
        input: b.dropout(cur.value, headSpec.dropout ?? 0, { id: "head.dropout" }),
        inputSize: cur.width,
        units: headSpec.units,
        activation: headSpec.activation,
      }),
    );
  const output = head?.output ?? cur.value;
  b.output("output", output);
  if (m.loss === "mse") {
    const y = b.input("y", ["B", m.head?.units ?? cur.width]);
    b.loss(b.node("mse", [output, y], undefined, "loss"));
  } else if (m.loss === "cross_entropy") {
    // the schema guarantees a softmax head; the loss reads its logits for stability
    const y = b.input("y", ["B"]);
    b.loss(b.node("softmaxCrossEntropy", [head!.logits, y], undefined, "loss"));
  }
  stages.push({ graph: b.toGraph("output") });

  if (m.head?.init) Object.assign(init, headParamInits(m.head.init, "head"));
  const program: Program = { format: PROGRAM_FORMAT, stages, output: "output", ...(Object.keys(init).length > 0 ? { init } : {}) };
  checkProgram(program); // a failure here is a bug in this compiler, not in the spec
  return program;
}
