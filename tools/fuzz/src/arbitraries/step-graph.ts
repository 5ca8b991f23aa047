import fc from "fast-check";
import { compileModel, GRAPH_FORMAT, type StepGraph } from "@unroll/ir";
import { validModelSpec, type ModelBounds } from "./model-spec.js";
import { mutated, type Mutation } from "./mutation.js";
import { prototypeKeys, wrongValue } from "./hostile-values.js";

/** Ops that map `[B, w]` operands to `[B, w]`: unary, or binary with broadcasting. No exp: exp of exp through a carry overflows in a few steps. */
const unaryOps = ["tanh", "sigmoid", "relu", "neg", "identity", "softmax"] as const;
const binaryOps = ["add", "sub", "mul"] as const;

/** The ids of the declared values of a random graph: usually plain names, sometimes keys of `Object.prototype` (all but `"__proto__"`, which no id may be). */
const declaredIds = fc
  .uniqueArray(fc.constantFrom("x", "y", "W", "h", "output", ...prototypeKeys.filter((k) => k !== "__proto__")), { minLength: 5, maxLength: 5 })
  .map(([x, y, W, h, output]) => ({ x, y, W, h, output }));
const plainIds = { x: "x", y: "y", W: "W", h: "h", output: "output" };

/**
 * Valid random step graphs of width `w`: data `x` `[B, w]`, a param `W` `[w, w]`,
 * a carry `h`, then a chain of elementwise ops and matmuls over any earlier values;
 * `h` is updated from the last node, which is also the output; optionally an mse loss against `y`.
 * The declared values are sometimes named after keys of `Object.prototype` (`"constructor"`, `"toString"`), which are valid ids.
 */
export function randomStepGraph(maxWidth = 4, maxNodes = 8): fc.Arbitrary<StepGraph> {
  const op = fc.oneof(
    fc.record({ kind: fc.constantFrom(...unaryOps), a: fc.nat(), b: fc.constant(0) }),
    fc.record({ kind: fc.constantFrom(...binaryOps), a: fc.nat(), b: fc.nat() }),
    fc.record({ kind: fc.constant("matmul" as const), a: fc.nat(), b: fc.constant(0) }),
  );
  return fc
    .record({
      ids: fc.oneof({ weight: 3, arbitrary: fc.constant(plainIds) }, { weight: 1, arbitrary: declaredIds }),
      w: fc.integer({ min: 1, max: maxWidth }),
      ops: fc.array(op, { minLength: 1, maxLength: maxNodes }),
      loss: fc.boolean(),
      init: fc.double({ min: -1, max: 1, noNaN: true }),
    })
    .map(({ ids, w, ops, loss, init }) => {
      const pool = [ids.x, ids.h];
      const nodes: StepGraph["nodes"] = ops.map((o, i) => {
        const id = `n${i}`;
        const a = pool[o.a % pool.length];
        const node =
          o.kind === "matmul"
            ? { id, op: "matmul" as const, inputs: [a, ids.W] }
            : (binaryOps as readonly string[]).includes(o.kind)
              ? { id, op: o.kind, inputs: [a, pool[o.b % pool.length]] }
              : { id, op: o.kind, inputs: [a] };
        pool.push(id);
        return node as StepGraph["nodes"][number];
      });
      const last = pool[pool.length - 1];
      // JSON.parse, as a loader receives it: an "__proto__" carry is an own key of update
      const update = JSON.parse(JSON.stringify({ [ids.h]: "" }).replace('""', JSON.stringify(last))) as Record<string, string>;
      const graph: StepGraph = {
        format: GRAPH_FORMAT,
        xs: [{ id: ids.x, shape: ["B", w] }, ...(loss ? [{ id: ids.y, shape: ["B", w] as ("B" | number)[] }] : [])],
        params: [{ id: ids.W, shape: [w, w] }],
        carry: [{ id: ids.h, shape: ["B", w], init }],
        nodes: loss ? [...nodes, { id: "loss", op: "mse", inputs: [last, ids.y] }] : nodes,
        ys: [{ id: ids.output, value: last }],
        update,
      };
      if (loss) graph.loss = "loss";
      return graph;
    });
}

/** The step graph of a compiled unidirectional model spec: cells, heads and losses as the compiler builds them. */
export function compiledStepGraph(bounds?: ModelBounds): fc.Arbitrary<StepGraph> {
  return validModelSpec(bounds)
    .map((spec) => ({ ...spec, layers: spec.layers.map((l) => ({ ...l, bidirectional: false })) }))
    .map((spec) => compileModel(spec).stages[0].graph);
}

/** Valid step graphs: random ones and compiled ones. */
export function validStepGraph(bounds?: ModelBounds): fc.Arbitrary<StepGraph> {
  return fc.oneof(randomStepGraph(), compiledStepGraph(bounds));
}

/**
 * A valid graph whose nodes form one chain `length` long, listed last first:
 * deep recursion for any validator that walks the graph recursively.
 */
export function chainGraph(length: number): StepGraph {
  const nodes = Array.from({ length }, (_, i) => ({ id: `n${i}`, op: "tanh" as const, inputs: [i === 0 ? "x" : `n${i - 1}`] })).reverse();
  const last = nodes[0].id;
  return { format: GRAPH_FORMAT, xs: [{ id: "x", shape: ["B", 1] }], params: [], carry: [], nodes, ys: [{ id: "output", value: last }], update: {} };
}

/** A step graph document: valid, mutated, a long chain, or garbage with the graph format tag; with the mutation when there is one. */
export function stepGraphDocument(bounds?: ModelBounds): fc.Arbitrary<{ doc: unknown; mutation?: Mutation }> {
  // long chains are slow to load (200 ms at 20000 nodes), so they come one case in ten
  return fc.oneof(
    { weight: 3, arbitrary: validStepGraph(bounds).map((doc) => ({ doc })) },
    { weight: 4, arbitrary: mutated(validStepGraph(bounds)).map((mutation) => ({ doc: mutation.doc, mutation })) },
    { weight: 1, arbitrary: fc.constantFrom(50, 2_000, 20_000).map((n) => ({ doc: chainGraph(n) })) },
    {
      weight: 2,
      arbitrary: fc
        .record(
          { xs: wrongValue, params: wrongValue, carry: wrongValue, nodes: wrongValue, ys: wrongValue, update: wrongValue, loss: wrongValue },
          { requiredKeys: [] },
        )
        .map((g) => ({ doc: { format: GRAPH_FORMAT, ...g } })),
    },
  );
}
