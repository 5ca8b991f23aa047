import { dtypeOf, zeros, type CheckedProgram, type Tensor } from "@unroll/ir";
import type { LoadedProgram } from "./backend.js";
import { withDropoutMasks } from "./dropout-masks.js";
import { createRng } from "./init.js";
import { InputError } from "./input-error.js";
import { sampleCategorical } from "./sample.js";

/**
 * How {@link generate} turns an output into the next input: `"regression"`
 * feeds the output itself back; `"classes"` samples a class from it and feeds
 * that class back, one-hot or as a token id, whichever the input is.
 */
export type GenerationMode = "regression" | "classes";

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** The input steps that prime the state, `[P, B, ...]` (P ≥ 1) as the model's input takes them. */
  readonly prime: Tensor;
  /** Free-running steps after the prime. */
  readonly steps: number;
  /** The data input fed back (default `"x"`); the model's other inputs (its targets) get zeros. */
  readonly input?: string;
  /** State entering the prime, by name; default each state's `init`. */
  readonly initialState?: Readonly<Record<string, Tensor>>;
  /** Default {@link generationMode} of the program. */
  readonly mode?: GenerationMode;
  /** Classes: sample from softmax(logits / temperature); 0 takes the most likely class. Default 1. */
  readonly temperature?: number;
  /** Classes: the seed of the sampling (default 0), so that a seed fixes the sequence. */
  readonly seed?: number;
}

/** What {@link generate} produced. */
export interface GenerateResult {
  /** The generated sequence: the N inputs fed back, `[N, B, ...]` shaped as the input (the continuation of the prime). */
  readonly inputs: Tensor;
  /** The model's output at each free-running step, `[N, B, O]`; the last one would give the next input. */
  readonly outputs: Tensor;
  /** Classes: the sampled class of each step, `[N, B]`. */
  readonly samples?: Tensor;
  /** The state after the last step. */
  readonly finalState: Readonly<Record<string, Tensor>>;
}

/** The op that computes the program's output, when the output is a step graph's value (e.g. `softmax`). */
function outputOp(program: CheckedProgram): string | undefined {
  const id = program.program.output;
  for (const stage of program.stages) {
    const graph = stage.checked.graph;
    const ys = graph.ys.find((y) => y.id === id);
    if (ys) return graph.nodes.find((n) => n.id === ys.value)?.op;
  }
  return undefined;
}

/** `"classes"` when the model's output is a softmax (its probabilities are sampled), else `"regression"`. */
export function generationMode(program: CheckedProgram): GenerationMode {
  return outputOp(program) === "softmax" ? "classes" : "regression";
}

/** Index of the largest value of `v[from, from + n)`. */
function argmax(v: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (v[from + i] > v[from + best]) best = i;
  return best;
}

/**
 * Runs a model on its own predictions: primes the state with `prime`, then
 * for `steps` steps feeds the last output back as the next input
 * (`"regression"`) or samples a class from it and feeds that class back
 * (`"classes"`: one-hot when the input is `[B, V]`, a token id when it is
 * `[B]`). Classes are sampled from softmax(logits / temperature), the
 * logits being the log of a softmax output, or the output itself otherwise.
 *
 * ```
 * out, state = run(prime, initialState)
 * for k in 0..N-1:
 *   inputs[k] = feed(out[last])      // the output, or a class drawn from it
 *   out, state = run(inputs[k], state)
 * ```
 */
export async function generate(
  loaded: LoadedProgram,
  program: CheckedProgram,
  params: Readonly<Record<string, Tensor>>,
  options: GenerateOptions,
): Promise<GenerateResult> {
  const name = options.input ?? "x";
  const declared = program.dataInputs[name];
  if (!declared) throw new InputError(`the model has no data input "${name}" to feed back; its inputs are ${Object.keys(program.dataInputs).join(", ")}`);
  const { prime, steps } = options;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new InputError(`steps must be a positive integer, got ${steps}`);
  const inputWidth = declared.slice(1).map(Number);
  if (prime.shape.length !== 2 + inputWidth.length || prime.shape.slice(2).join(",") !== inputWidth.join(",")) {
    throw new InputError(
      `prime must be [P, B${inputWidth.map((d) => `, ${d}`).join("")}] (steps, rows, then the input "${name}" [${declared.join(", ")}]), got [${prime.shape.join(", ")}]`,
    );
  }
  const [P, B] = prime.shape;
  if (P < 1 || B < 1) throw new InputError(`prime needs at least one step and one row, got [${prime.shape.join(", ")}]`);
  const outputShape = program.sequences[program.program.output];
  const O = Number(outputShape[outputShape.length - 1]);
  if (outputShape.length !== 2) throw new InputError(`generate feeds a [B, O] output back; this model's output is [${outputShape.join(", ")}]`);
  const mode = options.mode ?? generationMode(program);
  const temperature = options.temperature ?? 1;
  if (!(temperature >= 0 && Number.isFinite(temperature)))
    throw new InputError(`temperature must be a number ≥ 0 (0: the most likely class), got ${temperature}`);
  const tokenIds = inputWidth.length === 0;
  if (mode === "regression" && (tokenIds || inputWidth[0] !== O || inputWidth.length !== 1)) {
    throw new InputError(
      `regression feeds the output back as the next input: the output is [B, ${O}] but the input "${name}" is [${declared.join(", ")}]; they must match`,
    );
  }
  if (mode === "classes" && !tokenIds && !(inputWidth.length === 1 && inputWidth[0] === O)) {
    throw new InputError(`classes are fed back one-hot ([B, ${O}]) or as token ids ([B]), but the input "${name}" is [${declared.join(", ")}]`);
  }
  const dtype = dtypeOf(prime.data);
  const probabilities = outputOp(program) === "softmax";
  const rng = createRng(options.seed ?? 0);
  // the window's sequences around the fed input x ([L, B, ...]): the other inputs (targets) are not known while
  // generating, so zeros, as run does without targets; dropout is off
  const around = (x: Tensor): Record<string, Tensor> => {
    const L = x.shape[0];
    const others = Object.entries(program.dataInputs)
      .filter(([k]) => k !== name && !Object.hasOwn(program.dropout, k))
      .map(([k, s]) => [k, zeros([L, B, ...s.slice(1).map(Number)], dtype)]);
    return withDropoutMasks(program, { sequences: { ...Object.fromEntries(others), [name]: x } }, "off").sequences;
  };
  // the same for every generated step: made once
  const aroundStep = around(zeros([1, B, ...inputWidth], dtype));
  const width = tokenIds ? 1 : inputWidth[0];
  const inputs = zeros([steps, B, ...inputWidth], dtype);
  const outputs = zeros([steps, B, O], dtype);
  const samples = mode === "classes" ? zeros([steps, B], dtype) : undefined;
  let r = await loaded.runWindow({
    params,
    sequences: around(prime),
    initialState: options.initialState ?? {},
    gradients: false,
    collectStates: false,
  });
  let last = { data: r.outputs.data, at: (P - 1) * B * O };
  const logits = new Float64Array(O);
  for (let k = 0; k < steps; k++) {
    const x = zeros([1, B, ...inputWidth], dtype);
    for (let row = 0; row < B; row++) {
      const from = last.at + row * O;
      if (mode === "regression") {
        for (let j = 0; j < O; j++) x.data[row * width + j] = last.data[from + j];
        continue;
      }
      let cls: number;
      if (temperature === 0) cls = argmax(last.data, from, O);
      else {
        // softmax outputs are probabilities already; other outputs are logits
        for (let j = 0; j < O; j++) logits[j] = last.data[from + j];
        cls = sampleCategorical(probabilities ? logits : softmax(logits), temperature, rng);
      }
      samples!.data[k * B + row] = cls;
      if (tokenIds) x.data[row] = cls;
      else x.data[row * width + cls] = 1;
    }
    inputs.data.set(x.data, k * B * width);
    r = await loaded.runWindow({
      params,
      sequences: { ...aroundStep, [name]: x },
      initialState: r.finalState,
      firstStep: P + k,
      gradients: false,
      collectStates: false,
    });
    outputs.data.set(r.outputs.data, k * B * O);
    last = { data: r.outputs.data, at: 0 };
  }
  return { inputs, outputs, ...(samples ? { samples } : {}), finalState: r.finalState };
}

/** softmax of logits, for sampling. */
function softmax(logits: Float64Array): Float64Array {
  const max = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / sum);
}
