import { describe, expect, it } from "vitest";
import { GraphBuilder } from "./builder.js";
import { elementwiseChains, type ChainStep } from "./elementwise-chains.js";

const ops = (steps: readonly ChainStep[]): string[][] => steps.map((s) => ("node" in s ? [s.node.op] : s.chain.members.map((m) => m.op)));

describe("elementwiseChains: the fusion plan backends share", () => {
  // y = tanh(x·W + b) · s, with u = x·W read twice (by the chain and as an output)
  const graph = () => {
    const b = new GraphBuilder();
    const x = b.input("x", ["B", 3]);
    const u = b.matmul(x, b.param("W", [3, 4]));
    const y = b.mul(b.tanh(b.add(u, b.param("b", [4]))), b.input("s", ["B", 4]));
    b.output("y", y);
    return b.build();
  };

  it("chains elementwise nodes that read the last value of a chain once, after a product that stays a kernel of its own", () => {
    const g = graph();
    const steps = elementwiseChains(g.order, g.shapes, new Set(), () => true);
    expect(ops(steps)).toEqual([["matmul"], ["add", "tanh", "mul"]]);
    const chain = steps[1] as Extract<ChainStep, { chain: unknown }>;
    // outside values in order of first use
    expect(chain.chain.inputs).toEqual([g.order[0].id, "b", "s"]);
  });

  it("ends a chain at a value needed outside the nodes, and where the backend's rule says no", () => {
    const g = graph();
    const tanh = g.order.find((n) => n.op === "tanh")!;
    expect(ops(elementwiseChains(g.order, g.shapes, new Set([tanh.id]), () => true))).toEqual([["matmul"], ["add", "tanh"], ["mul"]]);
    // a backend whose kernels read at most two outside values
    const atMostTwo = (members: readonly { inputs: readonly string[]; id: string }[], n: { inputs: readonly string[]; id: string }) => {
      const inside = new Set([...members, n].map((m) => m.id));
      return new Set([...members, n].flatMap((m) => m.inputs).filter((i) => !inside.has(i))).size <= 2;
    };
    expect(ops(elementwiseChains(g.order, g.shapes, new Set(), atMostTwo))).toEqual([["matmul"], ["add", "tanh"], ["mul"]]);
    // a rule that refuses every chain leaves every node on its own
    expect(ops(elementwiseChains(g.order, g.shapes, new Set(), () => false))).toEqual([["matmul"], ["add"], ["tanh"], ["mul"]]);
  });
});
