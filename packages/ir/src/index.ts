/**
 * `@unroll/ir`: the declarative graph IR of recurrent networks. A step graph
 * is plain JSON checked by zod; ops carry their shape and gradient rules; cells
 * and model specs compile to programs of scans over time.
 *
 * Guides: [getting started](../../../docs/guides/getting-started.md), [composing a custom cell](../../../docs/guides/composing-a-custom-cell.md),
 * [graph-ir.md](../../../docs/guides/graph-ir.md) (step graphs, programs, the op table, autodiff), [model-spec.md](../../../docs/guides/model-spec.md),
 * [adding an op](../../../docs/guides/adding-an-op.md), [interop](../../../docs/guides/interop.md) (the file formats).
 * @packageDocumentation
 */
export * from "./shape.js";
export * from "./size.js";
export * from "./errors.js";
export * from "./tensor.js";
export * from "./graph.js";
export * from "./program.js";
export * from "./init-spec.js";
export * from "./init-bound.js";
export * from "./validate.js";
export * from "./check-program.js";
export * from "./builder.js";
export * from "./autodiff.js";
export * from "./jvp.js";
export * from "./rtrl.js";
export * from "./snap.js";
export * from "./mask.js";
export * from "./scan-split.js";
export * from "./batch-coupling.js";
export * from "./elementwise-chains.js";
export * from "./tiled-chains.js";
export { ops, opKinds, opOf, elementwiseOf, NodeSchema, type Node, type NodeOf, type OpKind, type OpTag } from "./ops/index.js";
export type { BatchRule, JvpContext, NodeBase, OpDef, OpDoc, OpGroup, VjpBuilder, VjpContext } from "./ops/define.js";
export { directionAxis, normalizeAxes, tangentShape } from "./ops/define.js";
export * as scalar from "./scalar-expr.js";
export { opCases } from "./op-cases.js";
export type { CaseInputs, Gen, InputSpec, OpCase, OpCases, OpExample } from "./op-case.js";
export {
  evalScalar,
  renderJs,
  type ElementwiseRule,
  type ScalarArg,
  type ScalarCall,
  type ScalarConst,
  type ScalarExpr,
  type ScalarFn,
  type ScalarInput,
} from "./scalar-expr.js";
export * from "./cells/activation.js";
export { type CellOptions } from "./cells/cell-options.js";
export * from "./cells/rnn-cell.js";
export * from "./cells/lstm-cell.js";
export * from "./cells/gru-cell.js";
export * from "./cells/dense-head.js";
export * from "./model/model-spec.js";
export { EMBEDDING_TABLE, EmbeddingSpecSchema, type EmbeddingSpec } from "./model/embedding-spec.js";
export { HeadInitSchema, LayerInitSchema, type HeadInit, type LayerInit } from "./model/layer-init.js";
export * from "./model/compile-model.js";
export * from "./model/param-shapes.js";
export * from "./load-program.js";
export * from "./dropout.js";
