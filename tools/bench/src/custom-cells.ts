import { checkProgram, GraphBuilder, programOfGraph, type CheckedProgram } from "@unroll/ir";
import type { Workload } from "./workloads.js";

/**
 * The workload's network written by hand from primitive ops, as a user would
 * compose a custom cell, with the built-in cells' parameter names and math (so
 * the same weights give the same loss) but none of their code: the graph
 * passes must make it as fast as the built-in cell.
 */
export function customCellProgram(w: Workload): CheckedProgram {
  const b = new GraphBuilder("u");
  const x = b.input("x", ["B", w.input]);
  const y = b.input("y", ["B", w.output]);
  const H = w.hidden;
  const gates = w.cell === "lstm" ? 4 : 1;
  const h = b.carry("layers.0.h", ["B", H]);
  const pre = b.add(
    b.add(b.matmul(h, b.param("layers.0.W_re", [H, gates * H])), b.matmul(x, b.param("layers.0.W_in", [w.input, gates * H]))),
    b.param("layers.0.b", [gates * H]),
  );
  let hNext: string;
  if (w.cell === "lstm") {
    const c = b.carry("layers.0.c", ["B", H]);
    const gate = (k: number): string => b.slice(pre, k * H, (k + 1) * H);
    const [i, f, g, o] = [b.sigmoid(gate(0)), b.sigmoid(gate(1)), b.tanh(gate(2)), b.sigmoid(gate(3))];
    const cNext = b.add(b.mul(f, c), b.mul(i, g));
    b.update(c, cNext);
    hNext = b.mul(o, b.tanh(cNext));
  } else {
    hNext = b.tanh(pre);
  }
  b.update(h, hNext);
  const out = b.add(b.matmul(hNext, b.param("head.W", [H, w.output])), b.param("head.b", [w.output]));
  b.output("output", out);
  b.loss(b.mse(out, y));
  return checkProgram(programOfGraph(b.toGraph(`custom ${w.cell}`)));
}
