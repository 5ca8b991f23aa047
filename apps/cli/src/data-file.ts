import { formatShape, fromNested, resolveShape, sizeOf, zeros, type CheckedProgram, type Dtype, type Tensor } from "@unroll/ir";
import { bytesPerNumber, checkMemory, type SequenceData } from "@unroll/bptt";
import { checkFinite } from "./first-non-finite.js";
import { tokenTable } from "./token-vocab.js";

/** The parts of a DATA document. */
interface DataJson {
  readonly [sequence: string]: unknown;
  readonly initialState?: unknown;
  readonly lengths?: unknown;
}

/** A tensor that a DATA document may hold instead of nested arrays (one read from safetensors). */
function isTensor(value: unknown): value is Tensor {
  return typeof value === "object" && value !== null && ArrayBuffer.isView((value as Tensor).data) && Array.isArray((value as Tensor).shape);
}

/** A field's value as a tensor: nested arrays are read, a tensor is checked as they are (finite numbers only). */
function tensorOf(value: unknown, dtype: Dtype, what: string): Tensor {
  return isTensor(value) ? checkFinite(value, what) : fromNested(value, dtype, what);
}

/**
 * Sequences from a DATA document: `{ "x": [T][B][I], "y"?: [T][B][O] or class
 * ids [T][B], "initialState"?: { "<state>": [B][H] }, "lengths"?: [B] }`; any
 * other data sequence of the program by its name. A sequence or state may be a
 * tensor instead of nested arrays (a safetensors DATA file), checked the same way. With `optionalTargets`, a
 * missing `y` is filled with zeros and reported, so a model with a loss can run
 * without targets. The tensors the document declares (its steps and rows
 * times each sequence's width) are refused above `memoryBudget` bytes before
 * any is built.
 */
export function dataFromJson(
  json: unknown,
  program: CheckedProgram,
  dtype: Dtype,
  optionalTargets: boolean,
  memoryBudget?: number,
): { data: SequenceData; hasTargets: boolean } {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error(`data must be an object like { "x": [T][B][I] }`);
  const doc = json as DataJson;
  // dropout masks are data inputs that the scheduler fills
  const given = Object.keys(program.dataInputs).filter((name) => !program.dropout[name]);
  const known = new Set([...given, "initialState", "lengths"]);
  for (const key of Object.keys(doc)) {
    if (!known.has(key)) throw new Error(`field "${key}" is not used by this model (it reads: ${[...known].join(", ")})`);
  }
  if (!("x" in doc) && "x" in program.dataInputs) throw new Error(`field "x" is missing: the input sequence, time-major [T][B][I]`);
  if (memoryBudget !== undefined) checkDeclaredSize(doc, program, dtype, memoryBudget);
  const sequences: Record<string, Tensor> = {};
  let steps = -1;
  let batch = -1;
  let hasTargets = true;
  const names = given.sort((a, b) => (a === "x" ? -1 : b === "x" ? 1 : 0));
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
    const t = tensorOf(doc[name], dtype, name);
    if (steps < 0) [steps, batch] = [t.shape[0], t.shape[1] ?? 0];
    const expected = [steps, ...resolveShape(perStep, batch)];
    if (formatShape(t.shape) !== formatShape(expected)) {
      throw new Error(`field "${name}" has shape ${formatShape(t.shape)} but the model expects ${formatShape(expected)} (time-major [T][B]...)`);
    }
    if (steps < 1 || batch < 1) throw new Error(`field "${name}" needs at least one step and one row`);
    if (perStep.length === 1) checkIds(name, t, program);
    sequences[name] = t;
  }
  let initialState: Record<string, Tensor> | undefined;
  if (doc.initialState !== undefined) {
    if (typeof doc.initialState !== "object" || doc.initialState === null) throw new Error(`field "initialState" must be an object of states`);
    initialState = {};
    for (const [name, value] of Object.entries(doc.initialState as Record<string, unknown>)) {
      const info = program.states[name];
      if (!info) throw new Error(`initialState."${name}" is not a state of this model (states: ${Object.keys(program.states).join(", ")})`);
      const t = tensorOf(value, dtype, `initialState.${name}`);
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

/**
 * Refuses the data's tensors when the sizes the document declares (the steps
 * and rows of its first sequence, every sequence and given state at the
 * model's widths, zero targets included) are above the budget.
 */
function checkDeclaredSize(doc: DataJson, program: CheckedProgram, dtype: Dtype, budget: number): void {
  const first = ["x", ...Object.keys(program.dataInputs)].find((k) => Array.isArray(doc[k]));
  if (first === undefined) return;
  const outer = doc[first] as unknown[];
  const steps = outer.length;
  const batch = Array.isArray(outer[0]) ? outer[0].length : 0;
  let numbers = 0;
  let largest = "";
  let most = -1;
  const count = (name: string, n: number): void => {
    numbers += n;
    if (n > most) [most, largest] = [n, name];
  };
  for (const [name, perStep] of Object.entries(program.dataInputs)) count(name, steps * sizeOf(resolveShape(perStep, batch)));
  const given = typeof doc.initialState === "object" && doc.initialState !== null ? Object.keys(doc.initialState) : [];
  for (const name of given) if (program.states[name]) count(`initialState.${name}`, sizeOf(resolveShape(program.states[name].shape, batch)));
  const figures = `${numbers.toLocaleString("en-US")} numbers in ${dtype}: ${steps} steps × ${batch} rows at the model's widths`;
  checkMemory(numbers * bytesPerNumber(dtype), budget, "the data need", figures, `field "${largest}"`);
}

/** Ids `[T][B]`: token ids of an embedding are checked against its vocab, any others as class ids. */
function checkIds(name: string, t: Tensor, program: CheckedProgram): void {
  const tokens = tokenTable(program, name);
  if (!tokens) return checkClassIds(name, t, program);
  const batch = t.shape[1];
  t.data.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v >= tokens.vocab) {
      const [step, row] = [Math.floor(i / batch), i % batch];
      throw new Error(
        `${name}[${step}][${row}] (step ${step}, row ${row}) is ${v}, but token ids must be integers from 0 to ${tokens.vocab - 1}: the table "${tokens.table}" has ${tokens.vocab} rows (the embedding's vocab)`,
      );
    }
  });
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
