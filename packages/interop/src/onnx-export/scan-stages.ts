import type { CheckedGraph, CheckedProgram, Node, XsDecl, YsDecl } from "@unroll/ir";

/** A stage as the Scan export writes it: the nodes its outputs need, at inference. */
export interface PreparedStage {
  /** The Scan node's name and the prefix of its body's values: the stage graph's name, or `stage<s>`. */
  readonly key: string;
  /** The stage's checked step graph. */
  readonly checked: CheckedGraph;
  /** True when the stage scans from the last step to the first. */
  readonly reverse: boolean;
  /** The nodes that the kept ys and the carries' updates need, in topological order, without the dropout products. */
  readonly nodes: readonly Node[];
  /** Each dropout product `x * mask` by its id, to the value x it passes on (dropout is off at inference). */
  readonly aliases: ReadonlyMap<string, string>;
  /** The xs those nodes read (never a dropout mask). */
  readonly xs: readonly XsDecl[];
  /** The ys kept: the program's output and the sequences later stages read. */
  readonly ys: readonly YsDecl[];
  /** The params those nodes read. */
  readonly params: readonly string[];
}

/** Names a node for messages, with its stage: `stage "output" node "h_next" (tanh)`. */
export function describeStepNode(key: string, node: Node): string {
  return `stage "${key}" node "${node.id}" (${node.op})`;
}

/** Each stage's key: its graph's name when that names one stage only, else `stage<s>`. */
function stageKeys(program: CheckedProgram): string[] {
  const named = program.stages.map((s) => s.checked.graph.name);
  return named.map((name, s) => (name && named.indexOf(name) === named.lastIndexOf(name) ? name : `stage${s}`));
}

/**
 * The stages of a program for inference: the loss is left out, and so are the ys nothing reads, the nodes that only
 * they need and the dropout masks (each product `x * mask` passes x on). A dropout mask read by anything but such a
 * product is an error naming the node.
 */
export function prepareStages(program: CheckedProgram): PreparedStage[] {
  const keys = stageKeys(program);
  const needed = new Set([program.program.output]);
  const prepared: PreparedStage[] = [];
  for (let s = program.stages.length - 1; s >= 0; s--) {
    const { checked, reverse } = program.stages[s];
    const g = checked.graph;
    const key = keys[s];
    const masks = new Set((g.dropout ?? []).map((d) => d.id));
    const byId = new Map(checked.order.map((n) => [n.id, n] as const));
    const params = new Set(g.params.map((p) => p.id));
    const ys = g.ys.filter((y) => needed.has(y.id));
    const live = new Set<string>();
    const aliases = new Map<string, string>();
    const readXs = new Set<string>();
    const readParams = new Set<string>();
    const stack = [...ys.map((y) => y.value), ...Object.values(g.update)];
    const reading = new Map<string, Node>();
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (masks.has(id)) {
        const reader = reading.get(id);
        throw new Error(
          `${reader ? describeStepNode(key, reader) : `stage "${key}"`} reads the dropout mask "${id}" other than as a factor of a product; the export leaves dropout out (it is off at inference) only from products x * mask`,
        );
      }
      if (live.has(id) || aliases.has(id)) continue;
      const node = byId.get(id);
      if (!node) {
        if (params.has(id)) readParams.add(id);
        else if (g.xs.some((x) => x.id === id)) readXs.add(id);
        continue;
      }
      const maskAt = node.op === "mul" ? node.inputs.findIndex((i) => masks.has(i)) : -1;
      if (maskAt >= 0 && !masks.has(node.inputs[1 - maskAt])) {
        aliases.set(id, node.inputs[1 - maskAt]);
        stack.push(node.inputs[1 - maskAt]);
        continue;
      }
      live.add(id);
      for (const input of node.inputs) {
        reading.set(input, node);
        stack.push(input);
      }
    }
    const xs = g.xs.filter((x) => readXs.has(x.id));
    xs.forEach((x) => needed.add(x.id));
    prepared.unshift({
      key,
      checked,
      reverse,
      nodes: checked.order.filter((n) => live.has(n.id)),
      aliases,
      xs,
      ys,
      params: g.params.filter((p) => readParams.has(p.id)).map((p) => p.id),
    });
  }
  return prepared;
}

/** Follows dropout products to the value they pass on. */
export function resolveAlias(stage: PreparedStage, id: string): string {
  let value = id;
  while (stage.aliases.has(value)) value = stage.aliases.get(value)!;
  return value;
}

/** The positions of ops' inputs that are integer ids: such a data sequence becomes an int64 graph input. */
const ID_INPUTS: Partial<Record<Node["op"], number>> = { gather: 1, oneHot: 0, softmaxCrossEntropy: 1 };

/**
 * The data sequences `[B]` that the stages read only as ids (gather's, oneHot's and softmaxCrossEntropy's), which
 * the graph takes as int64 (an embedding's token ids).
 */
export function idSequences(stages: readonly PreparedStage[], data: readonly string[]): Set<string> {
  const ids = new Set(data.filter((d) => stages.some((s) => s.xs.some((x) => x.id === d && x.shape.length === 1))));
  for (const stage of stages) {
    const g = stage.checked.graph;
    const asValue = [...stage.ys.map((y) => y.value), ...Object.values(g.update)].map((v) => resolveAlias(stage, v));
    for (const v of asValue) ids.delete(v);
    for (const node of stage.nodes) {
      node.inputs.forEach((input, k) => {
        if (ID_INPUTS[node.op] !== k) ids.delete(resolveAlias(stage, input));
      });
    }
  }
  return ids;
}
