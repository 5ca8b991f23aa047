import { formatShape, fromNested, resolveShape, zeros, type CheckedProgram, type Dtype, type Tensor } from "@unroll/ir";
import type { SequenceData } from "@unroll/bptt";

/** The parts of a DATA document. */
interface DataJson {
  readonly [sequence: string]: unknown;
  readonly initialState?: unknown;
  readonly lengths?: unknown;
}

/**
 * Sequences from a DATA document: `{ "x": [T][B][I], "y"?: [T][B][O] or class
 * ids [T][B], "initialState"?: { "<state>": [B][H] }, "lengths"?: [B] }`; any
 * other data sequence of the program by its name. With `optionalTargets`, a
 * missing `y` is filled with zeros and reported, so a model with a loss can run
 * without targets.
 */
export function dataFromJson(json: unknown, program: CheckedProgram, dtype: Dtype, optionalTargets: boolean): { data: SequenceData; hasTargets: boolean } {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error(`data must be an object like { "x": [T][B][I] }`);
  const doc = json as DataJson;
  const known = new Set([...Object.keys(program.dataInputs), "initialState", "lengths"]);
  for (const key of Object.keys(doc)) {
    if (!known.has(key)) throw new Error(`field "${key}" is not used by this model (it reads: ${[...known].join(", ")})`);
  }
  if (!("x" in doc) && "x" in program.dataInputs) throw new Error(`field "x" is missing: the input sequence, time-major [T][B][I]`);
  const sequences: Record<string, Tensor> = {};
  let steps = -1;
  let batch = -1;
  let hasTargets = true;
  const names = Object.keys(program.dataInputs).sort((a, b) => (a === "x" ? -1 : b === "x" ? 1 : 0));
  for (const name of names) {
    const perStep = program.dataInputs[name];
    if (!(name in doc)) {
      if (name === "y" && optionalTargets && steps > 0) {
        hasTargets = false;
        sequences[name] = zeros([steps, ...resolveShape(perStep, batch)], dtype);
        continue;
      }
      throw new Error(
        `field "${name}" is missing; expected [T][B]${perStep
          .slice(1)
          .map((d) => `[${d}]`)
          .join("")}`,
      );
    }
    const t = fromNested(doc[name], dtype, name);
    if (steps < 0) [steps, batch] = [t.shape[0], t.shape[1] ?? 0];
    const expected = [steps, ...resolveShape(perStep, batch)];
    if (formatShape(t.shape) !== formatShape(expected)) {
      throw new Error(`field "${name}" has shape ${formatShape(t.shape)} but the model expects ${formatShape(expected)} (time-major [T][B]...)`);
    }
    if (steps < 1 || batch < 1) throw new Error(`field "${name}" needs at least one step and one row`);
    if (perStep.length === 1) checkClassIds(name, t, program);
    sequences[name] = t;
  }
  let initialState: Record<string, Tensor> | undefined;
  if (doc.initialState !== undefined) {
    if (typeof doc.initialState !== "object" || doc.initialState === null) throw new Error(`field "initialState" must be an object of states`);
    initialState = {};
    for (const [name, value] of Object.entries(doc.initialState as Record<string, unknown>)) {
      const info = program.states[name];
      if (!info) throw new Error(`initialState."${name}" is not a state of this model (states: ${Object.keys(program.states).join(", ")})`);
      const t = fromNested(value, dtype, `initialState.${name}`);
      const expected = resolveShape(info.shape, batch);
      if (formatShape(t.shape) !== formatShape(expected)) {
        throw new Error(`initialState."${name}" has shape ${formatShape(t.shape)} but the model expects ${formatShape(expected)}`);
      }
      initialState[name] = t;
    }
  }
  let lengths: number[] | undefined;
  if (doc.lengths !== undefined) {
    if (!Array.isArray(doc.lengths) || doc.lengths.length !== batch) throw new Error(`field "lengths" must be a list of ${batch} integers, one per row`);
    doc.lengths.forEach((v, b) => {
      if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > steps) {
        throw new Error(`lengths[${b}] is ${JSON.stringify(v)}; each length must be an integer from 0 to ${steps}`);
      }
    });
    lengths = doc.lengths as number[];
  }
  return { data: { sequences, ...(initialState ? { initialState } : {}), ...(lengths ? { lengths } : {}) }, hasTargets };
}

/** Class-id targets `[T][B]` must be integers from 0 to the number of classes (the output width) minus 1. */
function checkClassIds(name: string, t: Tensor, program: CheckedProgram): void {
  const out = program.sequences[program.program.output];
  const classes = out[out.length - 1];
  const batch = t.shape[1];
  t.data.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || (typeof classes === "number" && v >= classes)) {
      const where = `${name}[${Math.floor(i / batch)}][${i % batch}]`;
      throw new Error(`${where} is ${v}, but class ids must be integers from 0 to ${typeof classes === "number" ? classes - 1 : "the number of classes - 1"}`);
    }
  });
}
