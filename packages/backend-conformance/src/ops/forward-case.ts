import { checkProgram, GraphBuilder, programOfGraph, type CaseInputs, type CheckedProgram, type Dim, type OpCase } from "@unroll/ir";
import { uniform, type Gen } from "../support/tensors.js";

/** One forward check of an op: a tiny step graph around it, from `@unroll/ir`'s `opCases`. */
export type ForwardCase = OpCase;

/** An operand of a prepared case and how its values are drawn. */
export interface CaseOperand {
  /** Its id. */
  readonly id: string;
  /** A sequence (`xs`) or a param. */
  readonly kind: "xs" | "params";
  /** Its declared shape (per step, for xs). */
  readonly shape: readonly Dim[];
  /** How its elements are drawn. */
  readonly gen: Gen;
}

/** A case as a runnable one-stage program whose output is the ys `out`. */
export interface PreparedCase {
  /** The program. */
  readonly program: CheckedProgram;
  /** Its operands. */
  readonly operands: readonly CaseOperand[];
  /** Ops of the nodes the case itself built. */
  readonly ops: ReadonlySet<string>;
}

/**
 * Turns a case into a program whose ys `out` is the case's value. A ys must be
 * batch-first, so a value with `"B"` elsewhere is reshaped to put it first, and an
 * unbatched value is broadcast over the batch of an extra unread sequence `lift`.
 * Operands are drawn by their spec's `gen` (uniform in [-1, 1) by default).
 */
export function prepareCase(c: ForwardCase): PreparedCase {
  const b = new GraphBuilder();
  const operands: CaseOperand[] = [];
  const inputs: CaseInputs = {
    b,
    x: (id, shape, spec) => (operands.push({ id, kind: "xs", shape, gen: spec?.gen ?? uniform }), b.input(id, shape)),
    p: (id, shape, spec) => (operands.push({ id, kind: "params", shape, gen: spec?.gen ?? uniform }), b.param(id, shape)),
  };
  let out = c.build(inputs);
  const ops = new Set(b.toGraph().nodes.map((n) => n.op));
  const s = b.shape(out);
  if (s[0] !== "B") {
    if (s.includes("B")) out = b.reshape(out, ["B", ...s.filter((d) => d !== "B")]);
    else out = b.broadcastTo(b.reshape(out, [1, ...s]), inputs.x("lift", ["B", ...s]));
  }
  b.output("out", out);
  return { program: checkProgram(programOfGraph(b.toGraph(c.name))), operands, ops };
}
