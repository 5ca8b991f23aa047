import { generate, sliceSteps, type GenerationMode } from "@unroll/bptt";
import { loadProgram, toNested } from "@unroll/ir";
import { createBackend } from "../backends.js";
import { dataFromJson } from "../data-file.js";
import { readJson } from "../files.js";
import type { CliIo } from "../io.js";
import { checkOut, printSummary, writeOut } from "../json-out.js";
import { parseDtype } from "../load-inputs.js";
import { parseMaxMemory } from "../memory-options.js";
import { positiveInteger } from "../positive-integer.js";
import { elapsedText, shapeText } from "../summary-line.js";
import { recordToJson } from "../to-json.js";
import { blameFile, UserError } from "../user-error.js";
import { readWeights } from "../weights-file.js";

/** Options of `unroll generate`. */
export interface GenerateCommandOptions {
  /** MODEL.json path. */
  readonly model: string;
  /** WEIGHTS.json path. */
  readonly weights: string;
  /** PRIME.json path: input steps [P][B][I], or a data file whose `x` (and `initialState`) prime the model. */
  readonly prime: string;
  /** Use only the first this many steps of the prime. */
  readonly primeSteps?: string;
  /** Free-running steps. */
  readonly steps: string;
  /** Sampling temperature (classes). */
  readonly temperature?: string;
  /** Sampling seed (classes). */
  readonly seed?: string;
  /** Override the mode read from the model. */
  readonly mode?: GenerationMode;
  /** OUT.json path, or `-` for standard output. */
  readonly out: string;
  /** Precision. */
  readonly dtype: string;
  /** Backend name. */
  readonly backend: string;
  /** Memory budget in MiB. */
  readonly maxMemory?: string;
  /** No summary line. */
  readonly quiet?: boolean;
}

/** A number option that must be ≥ 0. */
function nonNegative(option: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !(Number.isFinite(n) && n >= 0)) throw new UserError(`${option} must be a number ≥ 0, got "${value}"`);
  return n;
}

/**
 * `unroll generate`: primes the model's state with the input steps of
 * `--prime`, then runs it on its own predictions for `--steps` steps (see
 * `generate` in `@unroll/bptt`), and writes the generated inputs, the outputs,
 * the sampled classes and the final state.
 */
export async function generateCommand(opts: GenerateCommandOptions, io: CliIo): Promise<void> {
  const start = performance.now();
  checkOut(opts.out);
  const steps = positiveInteger("--steps", opts.steps);
  const primeSteps = opts.primeSteps === undefined ? undefined : positiveInteger("--prime-steps", opts.primeSteps);
  const temperature = opts.temperature === undefined ? undefined : nonNegative("--temperature", opts.temperature);
  const seed = opts.seed === undefined ? undefined : Number(opts.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new UserError(`--seed must be an integer, got "${opts.seed}"`);
  const dtype = parseDtype(opts.dtype);
  const memoryBudget = parseMaxMemory(opts.maxMemory);
  const program = blameFile(opts.model, () => loadProgram(readJson(opts.model, "model", memoryBudget)));
  const params = readWeights(opts.weights, program, dtype, memoryBudget);
  const data = blameFile(opts.prime, () => {
    const doc = readJson(opts.prime, "prime", memoryBudget);
    // a bare array is the input steps; an object is a data file
    return dataFromJson(Array.isArray(doc) ? { x: doc } : doc, program, dtype, true, memoryBudget).data;
  });
  const x = data.sequences.x;
  if (primeSteps !== undefined && primeSteps > x.shape[0]) throw new UserError(`--prime-steps ${primeSteps}: ${opts.prime} has only ${x.shape[0]} steps`);
  const prime = primeSteps === undefined ? x : sliceSteps(x, 0, primeSteps);
  const backend = createBackend(opts.backend);
  try {
    const loaded = await backend.load(program, { dtype, memoryBudget });
    const r = await generate(loaded, program, params, {
      prime,
      steps,
      ...(data.initialState ? { initialState: data.initialState } : {}),
      ...(opts.mode ? { mode: opts.mode } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
      ...(seed !== undefined ? { seed } : {}),
    });
    writeOut(
      opts.out,
      {
        inputs: toNested(r.inputs),
        outputs: toNested(r.outputs),
        ...(r.samples ? { samples: toNested(r.samples) } : {}),
        finalState: recordToJson(r.finalState),
      },
      io,
    );
    const what = r.samples ? `classes sampled at temperature ${temperature ?? 1}` : "outputs fed back";
    printSummary(
      `generate: ${steps} steps after a prime of ${prime.shape[0]}, ${what}; inputs ${shapeText(r.inputs.shape)}, outputs ${shapeText(r.outputs.shape)}; ${elapsedText(start)}`,
      opts.out,
      opts.quiet,
      io,
    );
  } finally {
    await backend.dispose();
  }
}
