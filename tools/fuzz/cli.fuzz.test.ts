import { afterAll, describe, expect, vi } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { loadProgram, toNested, type CheckedProgram } from "@unroll/ir";
import { initParams } from "@unroll/bptt";
import { runUnroll } from "@unroll/cli";
import {
  cliArgs,
  dataDocument,
  documentText,
  expectFast,
  expectNoPollution,
  fuzzSettings,
  modelSpecDocument,
  outcomeOf,
  programDocument,
  runnableCliArgs,
  scratchFolder,
  snapshotPrototypes,
  validData,
  validWeights,
  weightsDocument,
  type CliPaths,
} from "./src/index.js";

const prototypes = snapshotPrototypes();
const settings = fuzzSettings(150);
const scratch = scratchFolder("unroll-fuzz-cli-");
afterAll(() => scratch.remove());

/** A small valid model with a loss, and weights and data for it, as the fixed files that command lines name. */
const spec = { input: 2, layers: [{ cell: "gru", hidden: 3 }], head: { units: 2, activation: "softmax" }, loss: "cross_entropy" };
const program = loadProgram(spec);
const weights = Object.fromEntries(Object.entries(initParams(program, 1, "float64")).map(([k, t]) => [k, toNested(t)]));
const paths: CliPaths = {
  model: scratch.write("model.json", JSON.stringify(spec)),
  weights: scratch.write("weights.json", JSON.stringify(weights)),
  data: scratch.write("data.json", JSON.stringify(fc.sample(validData(program), { numRuns: 1, seed: 1 })[0])),
  notJson: scratch.write("not.json", '{ "input": 2, '),
  missing: `${scratch.path}/missing.json`,
  folder: scratch.path,
  out: `${scratch.path}/out.json`,
  outInMissingFolder: `${scratch.path}/nope/out.json`,
};

/**
 * Runs the CLI in this process and checks what every run must do: resolve
 * (never throw) to exit code 0, 1 or 2 within the time limit; on failure print
 * one line (`unroll: ...`, and for commander's own errors a pointer to --help; `unroll` alone and `unroll help <not a command>` print the usage),
 * never a stack trace or an internal error; leave the prototypes alone.
 * Returns the exit code and what was printed to standard error.
 */
async function runChecked(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const io = { stdout: () => {}, stderr: (t: string) => void (stderr += t) };
  // every command writes through io: nothing may reach the process's own stdout
  const stray = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const r = await outcomeOf(() => runUnroll(args, io)).finally(() => stray.mockRestore());
  expect(stray, `unroll ${args.join(" ")}: wrote to process.stdout, not io.stdout`).not.toHaveBeenCalled();
  expectNoPollution(prototypes);
  const what = `unroll ${args.join(" ")}`;
  if (!r.ok) throw new Error(`${what}: runUnroll threw ${String(r.error)}`);
  expectFast(r.ms, settings.caseTimeLimitMs, what);
  expect([0, 1, 2], `${what}: exit code`).toContain(r.value);
  expect(stderr, `${what}: a stack trace`).not.toMatch(/^\s+at /m);
  expect(stderr, `${what}: an internal error`).not.toMatch(/internal error/);
  // blameFile turns any error into the CLI's UserError: JavaScript's own messages there are defects all the same
  expect(stderr, `${what}: a JavaScript error's message`).not.toMatch(
    /Maximum call stack|Cannot read properties|is not a function|is not iterable|Invalid array length/,
  );
  // `unroll` alone prints the usage, as most commands do, and so does commander's `unroll help <not a command>`
  if (r.value !== 0 && args.length > 0 && args[0] !== "help") {
    const lines = stderr.trimEnd().split("\n");
    // commander's own errors also start with "unroll: ", and add one line: the pointer to --help
    expect(lines[0], `${what}: an error line`).toMatch(/^unroll: /);
    if (lines.length > 1) expect(lines, `${what}: commander's error and its pointer`).toEqual([lines[0], "(add --help for the options)"]);
  }
  return { code: r.value, stderr };
}

describe("the CLI in-process on fuzzed command lines", () => {
  test.prop([fc.oneof(cliArgs(paths), runnableCliArgs(paths))], settings.parameters)(
    "exits 0, 1 or 2, one line on error, never throws",
    async (args) => {
      await runChecked(args);
    },
    settings.testTimeoutMs,
  );
});

/** Whether every param and per-step value of a program is small enough to generate weights and data for (absurd sizes load, as shapes). */
function isSmall(p: CheckedProgram): boolean {
  const shapes = [...Object.values(p.params), ...Object.values(p.dataInputs), ...Object.values(p.states).map((s) => s.shape)];
  return shapes.every((shape) => shape.every((d) => d === "B" || d <= 64));
}

/** The checked program of a document, or a fallback for the weights and data when it does not load or is too large to fill. */
function programOr(doc: unknown, fallback: CheckedProgram): CheckedProgram {
  try {
    const p = loadProgram(doc);
    return isSmall(p) ? p : fallback;
  } catch {
    return fallback;
  }
}

/** A model document, then weights and data documents for the program it loads as, each maybe cut short. */
const fileCase = fc.oneof({ weight: 3, arbitrary: modelSpecDocument() }, { weight: 1, arbitrary: programDocument() }).chain(({ doc }) => {
  const p = programOr(doc, program);
  const cut = fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined, freq: 20 });
  return fc.record({
    model: fc.tuple(fc.constant(doc), cut),
    // valid ones twice as often again, so that more cases get as far as the run
    weights: fc.tuple(
      fc.oneof(
        validWeights(p),
        weightsDocument(p).map((w) => w.doc),
      ),
      cut,
    ),
    data: fc.tuple(
      fc.oneof(
        validData(p),
        dataDocument(p).map((d) => d.doc),
      ),
      cut,
    ),
    command: fc.constantFrom("run", "grad", "plan", "viz"),
    dtype: fc.constantFrom("float32", "float64"),
  });
});

describe("the CLI in-process on fuzzed model, weights and data files", () => {
  test.prop([fileCase], settings.parameters)(
    "run, grad, plan and viz exit 0, 1 or 2; an input error names its file",
    async ({ model, weights: w, data, command, dtype }) => {
      const files = {
        model: scratch.write("case-model.json", documentText(...model)),
        weights: scratch.write("case-weights.json", documentText(...w)),
        data: scratch.write("case-data.json", documentText(...data)),
      };
      // plan and viz allocate nothing of the model's size, so they also meet the absurd sizes that run and grad refuse at the weights
      const args =
        command === "viz"
          ? [command, "--model", files.model, "--out", `${paths.out}.svg`]
          : command === "plan"
            ? [command, "--model", files.model, "--data", files.data, "--dtype", dtype]
            : [command, "--model", files.model, "--weights", files.weights, "--data", files.data, "--dtype", dtype, "--out", paths.out];
      const { code, stderr } = await runChecked(args);
      if (code === 2) expect(Object.values(files).some((f) => stderr.includes(f)) || /the model has no loss/.test(stderr), stderr).toBe(true);
    },
    settings.testTimeoutMs,
  );
});
