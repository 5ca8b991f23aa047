import { checkProgram, GraphBuilder, programOfGraph, type OpKind } from "@unroll/ir";
import type { NamedProgram } from "../suite-context.js";

/** A model whose forward pass produces its first NaN in a known node, where the input `x` has a known value. */
export interface NanModel extends NamedProgram {
  /** Id of the node where the NaN first appears. */
  readonly node: string;
  /** Its op. */
  readonly op: OpKind;
  /** A value of `x` (with the param `w` = 0.5 and positive x elsewhere) that makes that node NaN. */
  readonly poison: number;
}

/**
 * `h' = tanh(h W_re + f(x) W_in)`, `out = h' W_out`, mse, over `x` `[B, 1]`,
 * with `f` given: the node `f` returns is named `nan`.
 */
function around(name: string, f: (b: GraphBuilder, x: string) => string): NamedProgram {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", 1]);
  const y = b.input("y", ["B", 1]);
  const h = b.carry("h", ["B", 2]);
  const value = f(b, x);
  const hNext = b.tanh(b.add(b.matmul(h, b.param("W_re", [2, 2])), b.matmul(value, b.param("W_in", [1, 2]))));
  b.update(h, hNext);
  const out = b.matmul(hNext, b.param("W_out", [2, 1]));
  b.output("output", out);
  b.loss(b.mse(out, y));
  return { name, program: checkProgram(programOfGraph(b.toGraph(name))) };
}

/**
 * Models that produce a NaN, simplest first, so that a backend without `log`
 * still runs the NaN checks: `log(x w)` at `x < 0`, then `(x v) / (x w)` at `x = 0`.
 */
export function nanCandidates(): readonly NanModel[] {
  return [
    {
      ...around("log(x w), NaN where x < 0", (b, x) => b.node("log", [b.matmul(x, b.param("w", [1, 1]))], undefined, "nan")),
      node: "nan",
      op: "log",
      poison: -1,
    },
    {
      ...around("(x v) / (x w), NaN where x = 0", (b, x) =>
        b.node("div", [b.matmul(x, b.param("v", [1, 1])), b.matmul(x, b.param("w", [1, 1]))], undefined, "nan"),
      ),
      node: "nan",
      op: "div",
      poison: 0,
    },
  ];
}
