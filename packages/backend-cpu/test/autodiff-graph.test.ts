import { describe, expect, it } from "vitest";
import {
  GraphBuilder,
  GraphError,
  loadGraph,
  opKinds,
  pruneGraph,
  resolveShape,
  serializeGraph,
  sizeOf,
  vjpGraph,
  type CheckedGraph,
  type Tensor,
} from "@unroll/ir";
import { createRng } from "@unroll/bptt";
import { GraphRunner, cpuKernels } from "../src/index.js";
import { EPS, close } from "./gradient-check.js";

/**
 * One step of an Elman RNN with a loss, an extra output `probe` and a dead branch:
 * `h' = tanh(x W_in + h W_re + b)`, `out = h' W_out + b_out`, `loss = mse(out, y)`.
 */
function rnnStep(): CheckedGraph {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", 3]);
  const y = b.input("y", ["B", 2]);
  const h = b.carry("h", ["B", 4]);
  const u = b.add(b.add(b.matmul(x, b.param("W_in", [3, 4])), b.matmul(h, b.param("W_re", [4, 4]))), b.param("b", [4]));
  const hNext = b.name("h_next", b.tanh(u));
  b.update(h, hNext);
  const out = b.name("logits", b.add(b.matmul(hNext, b.param("W_out", [4, 2])), b.param("b_out", [2])));
  b.output("out", out);
  b.output("probe", b.node("sigmoid", [hNext], undefined, "probe_value"));
  // reaches no output, update or loss
  b.node("tanh", [b.node("matmul", [h, b.param("W_dead", [4, 4])], undefined, "dead_matmul")], undefined, "dead");
  b.loss(b.node("mse", [out, y], undefined, "loss_rows"));
  return b.build("rnn");
}

describe("vjpGraph on an RNN step with a carry", () => {
  const forward = rnnStep();
  const vjp = vjpGraph(forward, { ysSeeds: ["out"] });
  const g = vjp.checked.graph;

  it("declares the documented seeds; its xs are the forward xs, the carries and the seeds", () => {
    expect(vjp.seeds).toStrictEqual({ ys: { out: "seed:ys:out" }, carry: { h: "seed:carry:h" }, loss: "seed:loss" });
    expect(g.xs).toEqual([
      { id: "x", shape: ["B", 3] },
      { id: "y", shape: ["B", 2] },
      { id: "h", shape: ["B", 4] },
      { id: "seed:ys:out", shape: ["B", 2] },
      { id: "seed:carry:h", shape: ["B", 4] },
      { id: "seed:loss", shape: ["B"] },
    ]);
    expect(g.params).toEqual(forward.graph.params);
    expect(g.carry).toEqual([]);
    expect(g.update).toEqual({});
    expect(g.loss).toBeUndefined();
    expect(g.name).toBe("rnn (backward)");
  });

  it("gives gradients for exactly the inputs the outputs depend on, each exposed as an output", () => {
    expect(Object.keys(vjp.grads.params).sort()).toEqual(["W_in", "W_out", "W_re", "b", "b_out"]);
    expect(Object.keys(vjp.grads.xs).sort()).toEqual(["x", "y"]);
    expect(Object.keys(vjp.grads.carry)).toEqual(["h"]);
    const exposed = [
      ...Object.entries(vjp.grads.params).map(([id, v]) => ({ id: `grad:params:${id}`, value: v })),
      ...Object.entries(vjp.grads.xs).map(([id, v]) => ({ id: `grad:xs:${id}`, value: v })),
      ...Object.entries(vjp.grads.carry).map(([id, v]) => ({ id: `grad:carry:${id}`, value: v })),
    ];
    expect([...g.ys].sort((a, b) => a.id.localeCompare(b.id))).toEqual(exposed.sort((a, b) => a.id.localeCompare(b.id)));
    for (const y of g.ys) expect(vjp.checked.shapes.get(y.value)).toEqual(forward.shapes.get(y.id.split(":").slice(2).join(":")));
  });

  it("is plain JSON that loads again, and uses only ops of the op set", () => {
    expect(JSON.parse(JSON.stringify(g))).toStrictEqual(g);
    expect(loadGraph(JSON.parse(serializeGraph(g))).graph).toStrictEqual(g);
    const unknown = g.nodes.map((n) => n.op).filter((op) => !(opKinds as string[]).includes(op));
    expect(unknown).toEqual([]);
  });

  it("prunes forward nodes the backward pass does not need", () => {
    const ids = new Set(g.nodes.map((n) => n.id));
    // dead branch, the unseeded output, and the loss value itself (mse's rule reads its inputs only)
    for (const id of ["dead", "dead_matmul", "probe_value", "loss_rows"]) expect(ids.has(id)).toBe(false);
    // recomputed: mse's rule reads the prediction
    expect(ids.has("logits")).toBe(true);
    expect(pruneGraph(g).nodes).toHaveLength(g.nodes.length);
    expect(vjp.grads.params.W_dead).toBeUndefined();
  });

  it("keeps the nodes of a seeded output's rule", () => {
    const seeded = vjpGraph(forward, { ysSeeds: ["out", "probe"] });
    expect(seeded.seeds.ys).toEqual({ out: "seed:ys:out", probe: "seed:ys:probe" });
    expect(seeded.checked.graph.nodes.some((n) => n.id === "probe_value")).toBe(true);
  });

  it("matches central differences of <seeds, outputs> for every param, xs and carry element", () => {
    const batch = 3;
    const r = createRng(7);
    const rand = (shape: readonly number[]): Tensor => ({ shape: [...shape], data: Float64Array.from({ length: sizeOf(shape) }, () => 2 * r() - 1) });
    const values = new Map<string, Tensor>();
    for (const d of [...forward.graph.xs, ...forward.graph.params, ...forward.graph.carry]) values.set(d.id, rand(resolveShape(d.shape, batch)));
    const seeds = new Map<string, Tensor>(g.xs.filter((d) => d.id.startsWith("seed:")).map((d) => [d.id, rand(resolveShape(d.shape, batch))] as const));
    // J = <seed:ys:out, out> + <seed:carry:h, h'> + <seed:loss, loss>
    const paired = [
      ["seed:ys:out", "logits"],
      ["seed:carry:h", "h_next"],
      ["seed:loss", "loss_rows"],
    ] as const;
    const fwd = new GraphRunner(forward, cpuKernels, "float64");
    const objective = (vals: Map<string, Tensor>): number => {
      const env = fwd.run(new Map(vals), batch);
      let s = 0;
      for (const [seed, value] of paired) env.get(value)!.data.forEach((v, k) => (s += v * seeds.get(seed)!.data[k]));
      return s;
    };
    const env = new GraphRunner(vjp.checked, cpuKernels, "float64").run(new Map([...values, ...seeds]), batch);
    const gradOf: Record<string, string> = { ...vjp.grads.params, ...vjp.grads.xs, ...vjp.grads.carry };
    const problems: string[] = [];
    for (const [id, v] of values) {
      const grad = gradOf[id] === undefined ? undefined : env.get(gradOf[id])!.data;
      for (let k = 0; k < v.data.length; k++) {
        const at = (delta: number) => new Map(values).set(id, { shape: v.shape, data: v.data.map((e, j) => (j === k ? e + delta : e)) });
        const fd = (objective(at(EPS)) - objective(at(-EPS))) / (2 * EPS);
        const an = grad ? grad[k] : 0;
        if (!close(an, fd)) problems.push(`${id}[${k}]: vjp ${an}, finite differences ${fd}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("vjpGraph seeds", () => {
  it("has no loss seed without a loss, and rejects an unknown output", () => {
    const b = new GraphBuilder();
    const h = b.carry("h", ["B", 2]);
    b.update(h, b.tanh(b.add(h, b.input("x", ["B", 2]))));
    const forward = b.build();
    expect(vjpGraph(forward).seeds).toStrictEqual({ ys: {}, carry: { h: "seed:carry:h" } });
    expect(vjpGraph(forward).checked.graph.name).toBe("backward");
    expect(() => vjpGraph(forward, { ysSeeds: ["nope"] })).toThrow(GraphError);
  });
});
