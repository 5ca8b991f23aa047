import { GraphError, ShapeError } from "./errors.js";
import { GRAPH_FORMAT, StepGraphSchema, type StepGraph } from "./graph.js";
import { PROTO_ID_MESSAGE } from "./ops/define.js";
import { opKinds, opOf, type Node } from "./ops/index.js";
import { formatShape, shapesEqual, type Shape } from "./shape.js";
import { describeZodError } from "./zod-path.js";
import { checkDropoutDecls } from "./dropout.js";

/** A step graph that passed validation: nodes in a runnable order and the shape of every value. */
export interface CheckedGraph {
  /** The graph as given. */
  readonly graph: StepGraph;
  /** The nodes in topological order (each after its inputs). */
  readonly order: readonly Node[];
  /** The inferred shape of every value: xs, params, carries and nodes. */
  readonly shapes: ReadonlyMap<string, Shape>;
}

/** Reports unknown ops by name before zod's union error, which would not name them. */
function checkOpNames(json: unknown, prefix: string): void {
  const nodes = (json as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes)) return;
  nodes.forEach((n, i) => {
    const op = (n as { op?: unknown })?.op;
    if (typeof op === "string" && !(opKinds as string[]).includes(op)) {
      throw new GraphError(`${prefix}nodes[${i}].op`, `unknown op "${op}" (known ops: ${opKinds.join(", ")})`);
    }
  });
}

/** Reports an `"__proto__"` key of update, which zod's record drops without a word (no id may be `"__proto__"`). */
function checkUpdateKeys(json: unknown, prefix: string): void {
  const update = (json as { update?: unknown })?.update;
  if (typeof update === "object" && update !== null && Object.hasOwn(update, "__proto__")) {
    throw new GraphError(`${prefix}update.__proto__`, PROTO_ID_MESSAGE);
  }
}

/** Parses JSON data into a step graph, or throws a {@link GraphError} naming the field at fault. */
export function parseGraph(json: unknown, prefix = ""): StepGraph {
  checkOpNames(json, prefix ? `${prefix}.` : "");
  checkUpdateKeys(json, prefix ? `${prefix}.` : "");
  const result = StepGraphSchema.safeParse(json);
  if (!result.success) {
    const { path, message } = describeZodError(result.error, prefix, StepGraphSchema, json);
    throw new GraphError(path, message);
  }
  return result.data;
}

/** Serializes a step graph to JSON text; `parseGraph(JSON.parse(serializeGraph(g)))` equals `g`. */
export function serializeGraph(graph: StepGraph): string {
  return JSON.stringify(graph, null, 2);
}

/**
 * Sorts nodes so that each comes after its inputs (depth first, post-order), or reports a cycle that does not go
 * through a carry. The depth-first walk keeps its own stack: a chain of nodes can be longer than the call stack is deep.
 */
function topologicalOrder(graph: StepGraph, prefix: string): Node[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n] as const));
  const state = new Map<string, "visiting" | "done">();
  const order: Node[] = [];
  for (const root of graph.nodes) {
    if (state.has(root.id)) continue;
    state.set(root.id, "visiting");
    const stack: { node: Node; next: number }[] = [{ node: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next === top.node.inputs.length) {
        state.set(top.node.id, "done");
        order.push(top.node);
        stack.pop();
        continue;
      }
      const dep = byId.get(top.node.inputs[top.next++]);
      if (!dep || state.get(dep.id) === "done") continue;
      if (state.get(dep.id) === "visiting") {
        const trail = stack.map((f) => f.node.id);
        const cycle = [...trail.slice(trail.indexOf(dep.id)), dep.id].join(" -> ");
        throw new GraphError(
          `${prefix}nodes`,
          `cycle inside one step: ${cycle}; a value that depends on its own past must go through a carry (declare it in carry and set it in update)`,
        );
      }
      state.set(dep.id, "visiting");
      stack.push({ node: dep, next: 0 });
    }
  }
  return order;
}

/** Checks that fixed dimensions are positive integers. */
function checkDims(shape: Shape, path: string): void {
  if (!shape.every((d) => d === "B" || (Number.isInteger(d) && d >= 1))) {
    throw new GraphError(path, `dimensions must be positive integers or "B", got ${formatShape(shape)}`);
  }
}

/** Checks that the batch axis comes first, and only there. */
function checkBatchAxis(shape: Shape, path: string): void {
  checkDims(shape, path);
  if (shape[0] !== "B" || shape.slice(1).includes("B")) {
    throw new GraphError(path, `per-step shapes start with "B" (the batch) and use it once, got ${formatShape(shape)}`);
  }
}

/**
 * Validates a parsed step graph: unique ids, every input defined, no cycle
 * within a step, every shape consistent, every carry updated with a value of its
 * own shape. Errors name the field (`nodes[3].inputs[1]`), the node and the shapes.
 */
export function checkGraph(graph: StepGraph, prefix = ""): CheckedGraph {
  const p = prefix ? `${prefix}.` : "";
  const shapes = new Map<string, Shape>();
  const where = new Map<string, string>();
  const declare = (id: string, shape: Shape, path: string): void => {
    if (where.has(id)) throw new GraphError(path, `duplicate id "${id}" (already declared at ${where.get(id)})`);
    where.set(id, path);
    shapes.set(id, shape);
  };
  graph.xs.forEach((x, i) => {
    checkBatchAxis(x.shape, `${p}xs[${i}].shape`);
    declare(x.id, x.shape, `${p}xs[${i}]`);
  });
  graph.params.forEach((w, i) => {
    checkDims(w.shape, `${p}params[${i}].shape`);
    if (w.shape.includes("B" as never)) throw new GraphError(`${p}params[${i}].shape`, `parameters have no batch axis, got ${formatShape(w.shape)}`);
    declare(w.id, w.shape, `${p}params[${i}]`);
  });
  graph.carry.forEach((c, i) => {
    checkBatchAxis(c.shape, `${p}carry[${i}].shape`);
    declare(c.id, c.shape, `${p}carry[${i}]`);
  });
  const nodeIndex = new Map<string, number>();
  graph.nodes.forEach((n, i) => {
    if (where.has(n.id)) throw new GraphError(`${p}nodes[${i}].id`, `duplicate id "${n.id}" (already declared at ${where.get(n.id)})`);
    where.set(n.id, `${p}nodes[${i}]`);
    nodeIndex.set(n.id, i);
  });
  graph.nodes.forEach((n, i) =>
    n.inputs.forEach((input, j) => {
      if (!where.has(input)) {
        throw new GraphError(`${p}nodes[${i}].inputs[${j}]`, `value "${input}" is used by node "${n.id}" (${n.op}) but never defined`);
      }
    }),
  );
  const order = topologicalOrder(graph, p);
  for (const node of order) {
    const i = nodeIndex.get(node.id)!;
    const inputs = node.inputs.map((id) => shapes.get(id)!);
    try {
      shapes.set(node.id, opOf(node).shape(inputs, node as never));
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      throw new GraphError(
        `${p}nodes[${i}]`,
        `node "${node.id}" (${node.op}) with inputs ${node.inputs.map((id, k) => `${id} ${formatShape(inputs[k])}`).join(", ")}: ${e.message}`,
      );
    }
  }
  const known = (id: string, path: string): Shape => {
    const s = shapes.get(id);
    if (!s) throw new GraphError(path, `value "${id}" is never defined`);
    return s;
  };
  graph.ys.forEach((y, i) => known(y.value, `${p}ys[${i}].value`));
  const ysIds = new Set<string>();
  graph.ys.forEach((y, i) => {
    if (ysIds.has(y.id)) throw new GraphError(`${p}ys[${i}].id`, `duplicate output id "${y.id}"`);
    ysIds.add(y.id);
  });
  const carryIds = new Set(graph.carry.map((c) => c.id));
  for (const key of Object.keys(graph.update)) {
    if (!carryIds.has(key)) throw new GraphError(`${p}update.${key}`, `"${key}" is not a declared carry`);
  }
  graph.carry.forEach((c, i) => {
    const value = graph.update[c.id];
    if (value === undefined) throw new GraphError(`${p}carry[${i}]`, `carry "${c.id}" has no entry in update`);
    const s = known(value, `${p}update.${c.id}`);
    if (!shapesEqual(s, c.shape)) {
      throw new GraphError(`${p}update.${c.id}`, `value "${value}" has shape ${formatShape(s)} but carry "${c.id}" has shape ${formatShape(c.shape)}`);
    }
  });
  if (graph.loss !== undefined) {
    const s = known(graph.loss, `${p}loss`);
    if (!shapesEqual(s, ["B"])) throw new GraphError(`${p}loss`, `the loss must be per row, shape [B], got ${formatShape(s)} for "${graph.loss}"`);
  }
  if (graph.dropout) checkDropoutDecls(graph.dropout, graph.xs, p);
  return { graph, order, shapes };
}

/** Parses and checks in one call. */
export function loadGraph(json: unknown, prefix = ""): CheckedGraph {
  return checkGraph(parseGraph(json, prefix), prefix);
}

/** True when JSON data declares itself a step graph. */
export function isGraphJson(json: unknown): boolean {
  return (json as { format?: unknown })?.format === GRAPH_FORMAT;
}
