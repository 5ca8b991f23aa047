import { GraphError, ShapeError } from "./errors.js";
import { checkDropoutRate, type DropoutDecl, type DropoutOptions } from "./dropout.js";
import { GRAPH_FORMAT, type CarryDecl, type ParamDecl, type StepGraph, type XsDecl, type YsDecl } from "./graph.js";
import type { VjpBuilder } from "./ops/define.js";
import { opOf, type Node, type NodeOf, type OpKind } from "./ops/index.js";
import { formatShape, type Dim, type Shape } from "./shape.js";
import { checkGraph, type CheckedGraph } from "./validate.js";

/** Attributes of a node of op K, as its schema declares them. */
export type AttrsOf<K extends OpKind> = NodeOf<K> extends WithAttrs<infer A> ? A : never;

/** A node with attributes of type A. */
export interface WithAttrs<A> {
  /** The attributes. */
  attrs?: A;
}

/**
 * Composes a step graph in TypeScript. Every method adds one node, checks its
 * shapes at once (so a mistake is reported where it is made) and returns the
 * new value's id.
 *
 * ```ts
 * const b = new GraphBuilder();
 * const x = b.input("x", ["B", 3]);
 * const h = b.carry("h", ["B", 4]);
 * const u = b.add(b.add(b.matmul(x, b.param("W_in", [3, 4])), b.matmul(h, b.param("W_re", [4, 4]))), b.param("b", [4]));
 * b.update(h, b.tanh(u));
 * const graph = b.build();
 * ```
 *
 * Guide: [composing a custom cell](../../../docs/guides/composing-a-custom-cell.md).
 */
export class GraphBuilder implements VjpBuilder {
  private readonly xs: XsDecl[] = [];
  private readonly params: ParamDecl[] = [];
  private readonly carries: CarryDecl[] = [];
  private readonly nodes: Node[] = [];
  private readonly ys: YsDecl[] = [];
  private readonly updates: Record<string, string> = {};
  private readonly dropouts: DropoutDecl[] = [];
  private readonly shapes = new Map<string, Shape>();
  private lossId: string | undefined;
  private counter = 0;
  /** The prefix of generated ids inside `scoped`, e.g. `"layers.0."`. */
  private scope = "";

  /** @param prefix prepended to generated node ids, to keep several builders' ids apart */
  constructor(private readonly prefix = "n") {}

  /** A builder that starts with every declaration and node of an existing graph. */
  static from(checked: CheckedGraph, prefix = "n"): GraphBuilder {
    const b = new GraphBuilder(prefix);
    const g = checked.graph;
    b.xs.push(...g.xs);
    b.params.push(...g.params);
    b.carries.push(...g.carry);
    b.nodes.push(...checked.order);
    b.ys.push(...g.ys);
    Object.assign(b.updates, g.update);
    for (const [id, s] of checked.shapes) b.shapes.set(id, s);
    b.lossId = g.loss;
    b.dropouts.push(...(g.dropout ?? []));
    return b;
  }

  /** The shape of a value already in the graph. */
  shape(id: string): Shape {
    const s = this.shapes.get(id);
    if (!s) throw new GraphError("", `value "${id}" is not defined in this builder`);
    return s;
  }

  /** True when the graph has a value with this id. */
  has(id: string): boolean {
    return this.shapes.has(id);
  }

  private declare(id: string, shape: Shape): string {
    if (this.shapes.has(id)) throw new GraphError("", `duplicate id "${id}"`);
    this.shapes.set(id, shape);
    return id;
  }

  /** Declares a per-step input (an xs sequence) of shape `["B", ...]`. */
  input(id: string, shape: Dim[]): string {
    this.xs.push({ id, shape });
    return this.declare(id, shape);
  }

  /** Declares a parameter, or returns it if it is already declared with the same shape. */
  param(id: string, shape: number[]): string {
    const existing = this.shapes.get(id);
    if (existing && this.params.some((p) => p.id === id)) {
      if (formatShape(existing) !== formatShape(shape)) {
        throw new GraphError("", `param "${id}" redeclared with shape ${formatShape(shape)}, was ${formatShape(existing)}`);
      }
      return id;
    }
    this.params.push({ id, shape });
    return this.declare(id, shape);
  }

  /** Declares a carry of shape `["B", ...]`, initially `init` everywhere (0 by default). */
  carry(id: string, shape: Dim[], init?: number): string {
    this.carries.push(init === undefined ? { id, shape } : { id, shape, init });
    return this.declare(id, shape);
  }

  /** Sets the value that becomes `carryId` at the next step. */
  update(carryId: string, value: string): void {
    this.updates[carryId] = value;
  }

  /** Collects `value` at every step into the output sequence `id`. */
  output(id: string, value: string): void {
    this.ys.push({ id, value });
  }

  /** Marks a per-row value `[B]` as this step's loss. */
  loss(value: string): void {
    this.lossId = value;
  }

  /**
   * Runs `fn` with generated node ids prefixed by `${prefix}.` (`"layers.0.n4"`
   * rather than `"n4"`), so that a report about a node (a non-finite value, a
   * shape error) names the layer it belongs to. Scopes nest; ids given
   * explicitly are kept as they are.
   */
  scoped<T>(prefix: string, fn: () => T): T {
    const outer = this.scope;
    this.scope = `${outer}${prefix}.`;
    try {
      return fn();
    } finally {
      this.scope = outer;
    }
  }

  /** Adds a node of any op; `id` defaults to a fresh generated one. */
  node<K extends OpKind>(op: K, inputs: string[], attrs?: AttrsOf<K>, id?: string): string {
    while (id === undefined && this.shapes.has(`${this.scope}${this.prefix}${this.counter}`)) this.counter++;
    const nodeId = id ?? `${this.scope}${this.prefix}${this.counter++}`;
    const node = (attrs === undefined ? { id: nodeId, op, inputs } : { id: nodeId, op, inputs, attrs }) as unknown as NodeOf<K>;
    const inShapes = inputs.map((i) => this.shape(i));
    let shape: Shape;
    try {
      shape = opOf(node).shape(inShapes, node);
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      throw new GraphError(`nodes[${this.nodes.length}]`, `node "${nodeId}" (${op}): ${e.message}`);
    }
    this.nodes.push(node as Node);
    return this.declare(nodeId, shape);
  }

  /** Gives an existing value a readable name (an identity node). */
  name(id: string, value: string): string {
    return this.node("identity", [value], undefined, id);
  }

  /** `op(a) · op(b)`; see the matmul op. */
  matmul(a: string, b: string, attrs?: AttrsOf<"matmul">): string {
    return this.node("matmul", [a, b], attrs);
  }
  /** `a + b` with broadcasting. */
  add(a: string, b: string): string {
    return this.node("add", [a, b]);
  }
  /** `a - b` with broadcasting. */
  sub(a: string, b: string): string {
    return this.node("sub", [a, b]);
  }
  /** `a * b` with broadcasting. */
  mul(a: string, b: string): string {
    return this.node("mul", [a, b]);
  }
  /** `a / b` with broadcasting. */
  div(a: string, b: string): string {
    return this.node("div", [a, b]);
  }
  /** `-x`. */
  neg(x: string): string {
    return this.node("neg", [x]);
  }
  /** Hyperbolic tangent. */
  tanh(x: string): string {
    return this.node("tanh", [x]);
  }
  /** Logistic sigmoid. */
  sigmoid(x: string): string {
    return this.node("sigmoid", [x]);
  }
  /** `max(x, 0)`. */
  relu(x: string): string {
    return this.node("relu", [x]);
  }
  /** 1 where `x > 0`, else 0. */
  step(x: string): string {
    return this.node("step", [x]);
  }
  /** `e^x`. */
  exp(x: string): string {
    return this.node("exp", [x]);
  }
  /** Natural logarithm. */
  log(x: string): string {
    return this.node("log", [x]);
  }
  /** `1 / sqrt(x)`. */
  rsqrt(x: string): string {
    return this.node("rsqrt", [x]);
  }
  /** Softmax over the last axis. */
  softmax(x: string): string {
    return this.node("softmax", [x]);
  }
  /** Log-softmax over the last axis. */
  logSoftmax(x: string): string {
    return this.node("logSoftmax", [x]);
  }
  /** Concatenation along the last axis. */
  concat(...xs: string[]): string {
    return this.node("concat", xs);
  }
  /** Columns `[start, end)` of the last axis. */
  slice(x: string, start: number, end: number): string {
    return this.node("slice", [x], { start, end });
  }
  /** Zero padding of the last axis. */
  pad(x: string, before: number, after: number): string {
    return this.node("pad", [x], { before, after });
  }
  /** Sum over axes (all by default). */
  sum(x: string, attrs?: AttrsOf<"sum">): string {
    return this.node("sum", [x], attrs);
  }
  /** Mean over axes (all by default). */
  mean(x: string, attrs?: AttrsOf<"mean">): string {
    return this.node("mean", [x], attrs);
  }
  /** Sums `x` down to the shape of `like`. */
  sumTo(x: string, like: string): string {
    return this.node("sumTo", [x, like]);
  }
  /** Broadcasts `x` to the shape of `like`. */
  broadcastTo(x: string, like: string): string {
    return this.node("broadcastTo", [x, like]);
  }
  /** Permutes the axes: output axis i is input axis `perm[i]`. */
  transpose(x: string, perm: number[]): string {
    return this.node("transpose", [x], { perm: [...perm] });
  }
  /** Same elements, new shape (`"B"` for the batch). */
  reshape(x: string, shape: Shape): string {
    return this.node("reshape", [x], { shape: [...shape] });
  }
  /** Number of elements of `x` along `axes`, as a scalar. */
  countOf(x: string, axes?: number[]): string {
    return this.node("countOf", [x], axes === undefined ? undefined : { axes });
  }
  /** A scalar constant. */
  scalar(value: number): string {
    return this.node("constant", [], { value });
  }
  /** A constant tensor from flat row-major values. */
  constant(values: number[], shape: number[]): string {
    return this.node("constant", [], { values, shape });
  }
  /** Passes `x` through. */
  identity(x: string): string {
    return this.node("identity", [x]);
  }
  /** One-hot rows from class ids `[B]`. */
  oneHot(classes: string, depth: number): string {
    return this.node("oneHot", [classes], { depth });
  }
  /** Rows `table[ids[i]]` of a table `[V, ...]` by integer ids `[n]` (an embedding lookup). */
  gather(table: string, ids: string): string {
    return this.node("gather", [table, ids]);
  }
  /**
   * Layer normalization over the last axis (Ba, Kiros and Hinton 2016), composed
   * of primitive ops so that its gradient is exact and its elementwise part fuses:
   *
   * ```
   * μ = mean(x, last axis),  σ² = mean((x - μ)², last axis)
   * y = (x - μ) · rsqrt(σ² + eps) · gain + bias
   * ```
   *
   * `gain` and `bias` broadcast against x (usually params `[width]`, initialized
   * to 1 and 0); `eps` defaults to 1e-5, as PyTorch's `nn.LayerNorm`.
   */
  layerNorm(x: string, gain: string, bias: string, eps = 1e-5): string {
    const centered = this.sub(x, this.mean(x, { axes: [-1], keepDims: true }));
    const variance = this.mean(this.mul(centered, centered), { axes: [-1], keepDims: true });
    const scale = this.rsqrt(this.add(variance, this.scalar(eps)));
    return this.add(this.mul(this.mul(centered, scale), gain), bias);
  }
  /** Per-row mean squared error `[B]`. */
  mse(pred: string, target: string): string {
    return this.node("mse", [pred, target]);
  }
  /** Per-row softmax cross-entropy `[B]` from logits and class ids. */
  softmaxCrossEntropy(logits: string, classes: string): string {
    return this.node("softmaxCrossEntropy", [logits, classes]);
  }

  /**
   * Dropout of `x` (shape `["B", ...]`): declares the mask input `id`, of x's
   * shape, and returns `x * mask`. The scheduler fills the mask (already scaled
   * by 1/(1-rate)) in training and with ones in evaluation, so gradients stay
   * exact; `variational` keeps one mask for every step of a sequence. A rate of
   * 0 returns `x` and declares nothing.
   */
  dropout(x: string, rate: number, options: DropoutOptions = {}): string {
    checkDropoutRate(rate, `dropout of "${x}"`);
    if (rate === 0) return x;
    const shape = this.shape(x);
    if (shape[0] !== "B") throw new GraphError("", `dropout of "${x}": the value must have a batch axis, shape ["B", ...], got ${formatShape(shape)}`);
    const mask = this.input(options.id ?? `dropout.${this.dropouts.length}`, [...shape]);
    this.dropouts.push(options.variational ? { id: mask, rate, variational: true } : { id: mask, rate });
    return this.mul(x, mask);
  }

  /** The graph as plain data, without validation. */
  toGraph(name?: string): StepGraph {
    return {
      format: GRAPH_FORMAT,
      ...(name === undefined ? {} : { name }),
      xs: [...this.xs],
      params: [...this.params],
      carry: [...this.carries],
      nodes: [...this.nodes],
      ys: [...this.ys],
      update: { ...this.updates },
      ...(this.lossId === undefined ? {} : { loss: this.lossId }),
      ...(this.dropouts.length === 0 ? {} : { dropout: [...this.dropouts] }),
    };
  }

  /** The finished graph, validated. */
  build(name?: string): CheckedGraph {
    return checkGraph(this.toGraph(name));
  }
}
