import { GraphError, ShapeError } from "./errors.js";
import { checkInitFits } from "./init-spec.js";
import { PROGRAM_FORMAT, ProgramSchema, type Program } from "./program.js";
import type { StepGraph } from "./graph.js";
import { formatShape, shapesEqual, type Shape } from "./shape.js";
import { checkGraph, parseGraph, type CheckedGraph } from "./validate.js";
import { describeZodError } from "./zod-path.js";

/** A stage that passed validation. */
export interface CheckedStage {
  /** The stage's step graph, checked. */
  readonly checked: CheckedGraph;
  /** True when the stage scans from the last step to the first. */
  readonly reverse: boolean;
}

/** Where a recurrent state lives and how it starts. */
export interface StateInfo {
  /** Index of the stage that owns this carry. */
  readonly stage: number;
  /** Shape with the batch axis, `["B", ...]`. */
  readonly shape: Shape;
  /** Initial fill value when the data gives no initial state. */
  readonly init: number;
}

/** A dropout mask of a program: a data input that the scheduler fills. */
export interface DropoutMaskInfo {
  /** Per-step shape, `["B", ...]`. */
  readonly shape: Shape;
  /** Fraction of elements dropped in training, in [0, 1). */
  readonly rate: number;
  /** True when one mask serves every step of a sequence. */
  readonly variational: boolean;
}

/** A program that passed validation, with the facts the scheduler needs. */
export interface CheckedProgram {
  /** The program as given. */
  readonly program: Program;
  /** Its stages, checked. */
  readonly stages: readonly CheckedStage[];
  /**
   * Sequences that come from the data (not produced by a stage), with their per-step shapes. They include the
   * dropout masks, which backends read like data but the scheduler fills (`runForward`, `computeGradients`).
   */
  readonly dataInputs: Readonly<Record<string, Shape>>;
  /** The dropout masks among the data inputs, by name. */
  readonly dropout: Readonly<Record<string, DropoutMaskInfo>>;
  /** Every parameter and its shape. */
  readonly params: Readonly<Record<string, readonly number[]>>;
  /** Every recurrent state (carry), by name. */
  readonly states: Readonly<Record<string, StateInfo>>;
  /** Per-step shape of every sequence produced by a stage. */
  readonly sequences: Readonly<Record<string, Shape>>;
  /** True when some stage has a loss. */
  readonly hasLoss: boolean;
}

/**
 * A record keyed by ids, without a prototype: any string is a valid id, and `"constructor"` or `"__proto__"`
 * must not find (or set) `Object.prototype`'s members.
 */
function idRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Validates a program: each stage graph, sequence wiring, shared params and unique state names. */
export function checkProgram(program: Program): CheckedProgram {
  const dataInputs = idRecord<Shape>();
  const sequences = idRecord<Shape>();
  const params = idRecord<readonly number[]>();
  const states = idRecord<StateInfo>();
  const dropout = idRecord<DropoutMaskInfo>();
  const stages = program.stages.map((stage, s): CheckedStage => {
    const path = `stages[${s}].graph`;
    const checked = checkGraph(stage.graph, path);
    const g = checked.graph;
    g.xs.forEach((x, i) => {
      const known = sequences[x.id] ?? dataInputs[x.id];
      if (known && !shapesEqual(known, x.shape)) {
        throw new GraphError(`${path}.xs[${i}]`, `sequence "${x.id}" has shape ${formatShape(known)} elsewhere but ${formatShape(x.shape)} here`);
      }
      if (!sequences[x.id]) dataInputs[x.id] = x.shape;
    });
    g.params.forEach((p, i) => {
      const known = params[p.id];
      if (known && !shapesEqual(known, p.shape)) {
        throw new GraphError(`${path}.params[${i}]`, `param "${p.id}" has shape ${formatShape(known)} in another stage but ${formatShape(p.shape)} here`);
      }
      params[p.id] = p.shape;
    });
    g.carry.forEach((c, i) => {
      if (states[c.id]) throw new GraphError(`${path}.carry[${i}]`, `state "${c.id}" is also declared by stage ${states[c.id].stage}`);
      states[c.id] = { stage: s, shape: c.shape, init: c.init ?? 0 };
    });
    g.ys.forEach((y, i) => {
      const shape = checked.shapes.get(y.value)!;
      if (shape[0] !== "B") {
        throw new GraphError(
          `${path}.ys[${i}].value`,
          `output "${y.id}" is a sequence of one row per batch entry, so its value must have shape ["B", ...]; "${y.value}" has shape ${formatShape(shape)}`,
        );
      }
      if (sequences[y.id] || dataInputs[y.id]) throw new GraphError(`${path}.ys[${i}]`, `sequence "${y.id}" is already defined`);
      sequences[y.id] = checked.shapes.get(y.value)!;
    });
    g.dropout?.forEach((d, i) => {
      const info = { shape: dataInputs[d.id], rate: d.rate, variational: d.variational ?? false };
      if (sequences[d.id]) throw new GraphError(`${path}.dropout[${i}].id`, `dropout mask "${d.id}" is an output of another stage`);
      const known = dropout[d.id];
      // stages may share a mask (both directions of a layer), declared alike
      if (known && (known.rate !== info.rate || known.variational !== info.variational)) {
        throw new GraphError(
          `${path}.dropout[${i}]`,
          `dropout mask "${d.id}" is declared by another stage with rate ${known.rate}, variational ${known.variational}`,
        );
      }
      dropout[d.id] = info;
    });
    return { checked, reverse: stage.reverse ?? false };
  });
  if (!sequences[program.output]) {
    throw new GraphError("output", `"${program.output}" is not an output (ys) of any stage`);
  }
  checkParamInits(program, params);
  stages.forEach((stage, s) =>
    stage.checked.graph.xs.forEach((x, i) => {
      if (dropout[x.id] && !stage.checked.graph.dropout?.some((d) => d.id === x.id)) {
        throw new GraphError(`stages[${s}].graph.xs[${i}]`, `"${x.id}" is a dropout mask of another stage, so this stage must declare it in its dropout too`);
      }
    }),
  );
  return { program, stages, dataInputs, dropout, params, states, sequences, hasLoss: stages.some((s) => s.checked.graph.loss !== undefined) };
}

/** Checks that every initializer of `program.init` names a param and fits its shape. */
function checkParamInits(program: Program, params: Readonly<Record<string, readonly number[]>>): void {
  for (const [id, init] of Object.entries(program.init ?? {})) {
    const path = `init[${JSON.stringify(id)}]`;
    const shape = params[id];
    if (!shape) throw new GraphError(path, `"${id}" is not a param of the program; params: ${Object.keys(params).join(", ")}`);
    try {
      checkInitFits(init, shape);
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      throw new GraphError(path, `param "${id}" of shape ${formatShape(shape)}: ${e.message}`);
    }
  }
}

/** Parses JSON data into a program, or throws a {@link GraphError} naming the field at fault. */
export function parseProgram(json: unknown): Program {
  const stages = (json as { stages?: unknown })?.stages;
  if (Array.isArray(stages)) stages.forEach((st, i) => parseGraph((st as { graph?: unknown })?.graph, `stages[${i}].graph`));
  const result = ProgramSchema.safeParse(json);
  if (!result.success) {
    const { path, message } = describeZodError(result.error, "", ProgramSchema, json);
    throw new GraphError(path, message);
  }
  return result.data;
}

/**
 * The one-stage program of a single step graph. Its output is the ys named
 * `"output"`, or the first ys.
 */
export function programOfGraph(graph: StepGraph): Program {
  const output = graph.ys.find((y) => y.id === "output")?.id ?? graph.ys[0]?.id;
  if (output === undefined) throw new GraphError("ys", "the graph has no outputs (ys)");
  return { format: PROGRAM_FORMAT, stages: [{ graph }], output };
}

/** True when JSON data is a program document. */
export function isProgramJson(json: unknown): boolean {
  return (json as { format?: unknown })?.format === PROGRAM_FORMAT;
}
