import { describe, expect, it } from "vitest";
import { GraphError } from "./errors.js";
import { loadProgram } from "./load-program.js";

const spec = (layer: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown => ({
  input: 2,
  layers: [
    { cell: "rnn", hidden: 3 },
    { cell: "lstm", ...layer },
  ],
  head: { units: 2, activation: "linear" },
  ...extra,
});

/** The message loadProgram throws for `json`, which must be a GraphError. */
function refusal(json: unknown): GraphError {
  try {
    loadProgram(json);
  } catch (e) {
    expect(e).toBeInstanceOf(GraphError);
    return e as GraphError;
  }
  throw new Error("loadProgram accepted the document");
}

const graph = (paramShape: unknown, xShape: unknown = ["B", 2], attrs: Record<string, unknown> = {}): unknown => ({
  format: "unroll.graph/1",
  xs: [{ id: "x", shape: xShape }],
  params: [{ id: "W", shape: paramShape }],
  carry: [],
  nodes: [{ id: "o", op: "oneHot", inputs: ["c"], attrs: { depth: 3, ...attrs } }],
  ys: [{ id: "output", value: "x" }],
  update: {},
});

describe("sizes are positive safe integers, refused at validation with their path", () => {
  const bad = [0, -1, 2.5, NaN, Infinity, 2 ** 53, 1e20];
  it.each(bad)("model spec hidden %s", (h) => {
    const e = refusal(spec({ hidden: h }));
    expect(e.path).toBe("layers[1].hidden");
    expect(e.message).toMatch(/^layers\[1\]\.hidden: /);
  });
  it.each(bad)("model spec input and head.units %s", (n) => {
    expect(refusal(spec({ hidden: 4 }, { input: n })).path).toBe("input");
    expect(refusal(spec({ hidden: 4 }, { head: { units: n, activation: "linear" } })).path).toBe("head.units");
  });
  it("names the limit in the message", () => {
    expect(refusal(spec({ hidden: 1e20 })).message).toContain(`no larger than ${Number.MAX_SAFE_INTEGER}, got 100000000000000000000`);
    expect(refusal(spec({ hidden: 2.5 })).message).toContain("got 2.5");
  });
  it("the largest safe size passes validation", () => {
    // validation is about the numbers; whether the model fits in memory is the memory budget's question
    const p = loadProgram({ input: 2, layers: [{ cell: "rnn", hidden: Number.MAX_SAFE_INTEGER }] });
    expect(p.params["layers.0.W_re"]).toEqual([Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
  });
  it("a cell's gates and both directions count as widths too", () => {
    const h = Math.floor(Number.MAX_SAFE_INTEGER / 3);
    expect(() => loadProgram({ input: 1, layers: [{ cell: "gru", hidden: h + 1 }] })).toThrow(
      `layers[0].hidden: a gru layer of hidden ${h + 1} has values ${3 * (h + 1)} wide, above ${Number.MAX_SAFE_INTEGER}`,
    );
    expect(refusal({ input: 1, layers: [{ cell: "lstm", hidden: 2 ** 51 }] }).path).toBe("layers[0].hidden");
    expect(refusal({ input: 1, layers: [{ cell: "rnn", hidden: 2 ** 52, bidirectional: true }] }).message).toContain("in both directions");
    // the widest safe gru compiles
    expect(loadProgram({ input: 1, layers: [{ cell: "gru", hidden: h }] }).params["layers.0.b_in"]).toEqual([3 * h]);
  });
  it.each(bad)("graph param, xs dims and node attributes %s", (n) => {
    expect(refusal(graph([2, n])).path).toBe("params[0].shape[1]");
    expect(refusal(graph([2, 2], ["B", n])).path).toMatch(/^xs\[0\]\.shape\[1\]/);
    expect(refusal(graph([2, 2], ["B", 2], { depth: n })).path).toBe("nodes[0].attrs.depth");
  });
  it("a program's stages name the stage", () => {
    const g = graph([2, 1e300]) as Record<string, unknown>;
    const e = refusal({ format: "unroll.program/1", stages: [{ graph: g }], output: "output" });
    expect(e.path).toBe("stages[0].graph.params[0].shape[1]");
  });
});
