import { describe, expect, it } from "vitest";
import { batchCoupling, batchCouplingOfGraph } from "./batch-coupling.js";
import { GraphBuilder } from "./builder.js";
import { loadProgram } from "./load-program.js";

describe("batchCoupling", () => {
  it("finds no coupling in the built-in cells, stacks and bidirectional layers", () => {
    for (const cell of ["rnn", "lstm", "gru"]) {
      const program = loadProgram({ input: 3, layers: [{ cell, hidden: 4 }, { cell, hidden: 2, bidirectional: true }], head: { units: 2, activation: "softmax" }, loss: "cross_entropy" });
      expect(batchCoupling(program)).toBeUndefined();
    }
  });

  const withNode = (make: (b: GraphBuilder, x: string) => string): string | undefined => {
    const b = new GraphBuilder();
    const x = b.input("x", ["B", 3]);
    b.output("y", b.add(x, make(b, x)));
    return batchCouplingOfGraph(b.build());
  };

  it("names a reduction over the batch", () => {
    expect(withNode((b, x) => b.mean(x, { axes: [0] }))).toMatch(/reduces over the batch/);
    expect(withNode((b, x) => b.matmul(x, b.matmul(x, x, { transposeA: true })))).toMatch(/reduces over the batch/);
  });

  it("names a batch axis moved away from the front", () => {
    expect(withNode((b, x) => b.reshape(b.reshape(x, [3, "B"]), ["B", 3]))).toMatch(/moves the batch axis/);
  });

  it("accepts row-wise broadcasting of parameters", () => {
    expect(withNode((b) => b.param("bias", [3]))).toBeUndefined();
  });
});
