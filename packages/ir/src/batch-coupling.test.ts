import { describe, expect, it } from "vitest";
import { batchCoupling, batchCouplingOfGraph } from "./batch-coupling.js";
import { GraphBuilder } from "./builder.js";
import { loadProgram } from "./load-program.js";

describe("batchCoupling", () => {
  it("finds no coupling in the built-in cells, stacks and bidirectional layers", () => {
    for (const cell of ["rnn", "lstm", "gru"]) {
      const program = loadProgram({
        input: 3,
        layers: [
          { cell, hidden: 4 },
          { cell, hidden: 2, bidirectional: true },
        ],
        head: { units: 2, activation: "softmax" },
        loss: "cross_entropy",
      });
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
    expect(withNode((b, x) => b.mean(x, { axes: [0] }))).toMatch(/combines batch rows/);
    expect(withNode((b, x) => b.matmul(x, b.matmul(x, x, { transposeA: true })))).toMatch(/combines batch rows/);
  });

  it("names a batch axis moved away from the front", () => {
    expect(withNode((b, x) => b.reshape(b.reshape(x, [3, "B"]), ["B", 3]))).toMatch(/combines batch rows/);
  });

  it("accepts row-wise broadcasting of parameters", () => {
    expect(withNode((b) => b.param("bias", [3]))).toBeUndefined();
  });
});

it("counting along a feature axis does not couple rows, counting along the batch does", () => {
  const count = (axes: number[] | undefined): string | undefined => {
    const b = new GraphBuilder();
    const x = b.input("x", ["B", 3]);
    b.output("y", b.div(x, b.countOf(x, axes)));
    return batchCouplingOfGraph(b.build());
  };
  expect(count([1])).toBeUndefined();
  expect(count(undefined)).toMatch(/combines batch rows/);
});
