import { describe, expect, it } from "vitest";
import { GraphError } from "./errors.js";
import { GRAPH_FORMAT, type StepGraph } from "./graph.js";
import { loadGraph, parseGraph } from "./validate.js";

/** x → n0 → n1 → ... → n{length-1}, the nodes listed last first, so that sorting them walks the whole chain at once. */
function chainListedLastFirst(length: number): StepGraph {
  const nodes = Array.from({ length }, (_, i) => ({ id: `n${i}`, op: "tanh" as const, inputs: [i === 0 ? "x" : `n${i - 1}`] })).reverse();
  return { format: GRAPH_FORMAT, xs: [{ id: "x", shape: ["B", 1] }], params: [], carry: [], nodes, ys: [{ id: "output", value: nodes[0].id }], update: {} };
}

describe("checkGraph's node order (fuzz regressions)", () => {
  it("sorts a chain of 20000 nodes listed last first (was RangeError: Maximum call stack size exceeded)", () => {
    const { order } = loadGraph(chainListedLastFirst(20_000));
    expect(order).toHaveLength(20_000);
    expect(order[0].id).toBe("n0");
    expect(order[19_999].id).toBe("n19999");
  });

  it("still names a cycle inside a step by its nodes", () => {
    const graph = chainListedLastFirst(3);
    graph.nodes.find((n) => n.id === "n0")!.inputs = ["n2"];
    expect(() => loadGraph(graph)).toThrow(GraphError);
    expect(() => loadGraph(graph)).toThrow("nodes: cycle inside one step: n2 -> n1 -> n0 -> n2;");
  });
});

describe("ids named __proto__ (fuzz regressions)", () => {
  const graph = (extra: string) =>
    JSON.parse(`{ "format": "unroll.graph/1", "xs": [{ "id": "x", "shape": ["B", 1] }], "carry": [], "nodes": [{ "id": "n0", "op": "tanh", "inputs": ["x"] }],
      "ys": [{ "id": "output", "value": "n0" }], ${extra} }`);

  it("rejects a param named __proto__, naming it (its weights were lost: InputError 'param \"__proto__\" is missing' on a valid-looking program)", () => {
    expect(() => parseGraph(graph(`"params": [{ "id": "__proto__", "shape": [1] }], "update": {}`))).toThrow(
      'params[0].id: "__proto__" cannot be an id (ids become object keys, where it sets the prototype); rename it',
    );
  });

  it("rejects an update keyed __proto__, which zod's record dropped without a word", () => {
    expect(() => parseGraph(graph(`"params": [], "update": { "__proto__": "n0" }`), "stages[0].graph")).toThrow(
      'stages[0].graph.update.__proto__: "__proto__" cannot be an id',
    );
  });
});

describe("unknown keys", () => {
  const withNode = (node: string) =>
    JSON.parse(`{ "format": "unroll.graph/1", "xs": [{ "id": "x", "shape": ["B", 3] }], "params": [{ "id": "W", "shape": [3, 4] }], "carry": [],
      "nodes": [${node}], "ys": [{ "id": "output", "value": "a" }], "update": {} }`);

  it("lists the attributes of the node's own op", () => {
    expect(() => parseGraph(withNode(`{ "id": "a", "op": "matmul", "inputs": ["x", "W"], "attrs": { "transpose": true } }`))).toThrow(
      "nodes[0].attrs.transpose: unknown key; valid keys in nodes[0].attrs: transposeA, transposeB",
    );
    expect(() => parseGraph(withNode(`{ "id": "a", "op": "sum", "inputs": ["x"], "attrs": { "axis": [1] } }`))).toThrow(
      "nodes[0].attrs.axis: unknown key; valid keys in nodes[0].attrs: axes, keepDims",
    );
  });

  it("names a key of a node that no op has", () => {
    expect(() => parseGraph(withNode(`{ "id": "a", "op": "tanh", "inputs": ["x"], "name": "t" }`))).toThrow(
      "nodes[0].name: unknown key; valid keys in nodes[0]: id, op, inputs",
    );
  });
});
