import fc from "fast-check";

/** Files a generated command line may name: good and bad inputs, and where outputs go. */
export interface CliPaths {
  /** A valid model with a loss. */
  readonly model: string;
  /** Weights for it. */
  readonly weights: string;
  /** Data for it. */
  readonly data: string;
  /** A file that is not JSON. */
  readonly notJson: string;
  /** A path that does not exist. */
  readonly missing: string;
  /** A folder. */
  readonly folder: string;
  /** A writable output file. */
  readonly out: string;
  /** An output file in a folder that does not exist. */
  readonly outInMissingFolder: string;
}

const commands = ["run", "grad", "train", "plan", "viz", "help", "bogus", "", "--help", "-h", "--version"] as const;

/** Every option the commands know, and what kind of value each takes (`flag`: none). */
const options = {
  "--model": "input",
  "--data": "input",
  "--weights": "input",
  "--out": "output",
  "--save": "output",
  "--log": "output",
  "--dtype": "word",
  "--backend": "word",
  "--workers": "number",
  "--method": "word",
  "--max-memory": "number",
  "--truncate": "number",
  "--k1": "number",
  "--k2": "number",
  "--checkpoint": "number",
  "--online": "number",
  "--seed": "number",
  "--optimizer": "word",
  "--lr": "number",
  "--momentum": "number",
  "--beta1": "number",
  "--beta2": "number",
  "--eps": "number",
  "--alpha": "number",
  "--weight-decay": "number",
  "--clip-value": "number",
  "--clip-norm": "number",
  "--epochs": "count",
  "--batch-size": "number",
  "--window": "number",
  "--stateful": "flag",
  "--quiet": "flag",
  "--json": "flag",
  "--help": "flag",
} as const;

/** Numbers as a user might type them, right and wrong; no huge counts of work (epochs, windows) that would be slow rather than wrong. */
const numberText = fc.constantFrom(
  "1",
  "2",
  "3",
  "0",
  "-1",
  "1.5",
  "0.1",
  "1e-3",
  "1e400",
  "-0",
  "NaN",
  "Infinity",
  "abc",
  "",
  " 2",
  "0x10",
  "2e0",
  "9007199254740993",
);
const countText = fc.constantFrom("1", "2", "0", "-1", "1.5", "abc", "", "NaN");
const wordText = fc.constantFrom(
  "float32",
  "float64",
  "float16",
  "cpu",
  "workers:0",
  "gpu",
  "bptt",
  "rtrl",
  "snap1",
  "sgd",
  "adam",
  "momentum",
  "rmsprop",
  "",
  "__proto__",
  "constructor",
);

/**
 * Command lines for `runUnroll`: a command (or none, or a wrong one), then
 * options with right and wrong values, unknown options, stray words and
 * repeated options, in any order.
 */
export function cliArgs(paths: CliPaths): fc.Arbitrary<string[]> {
  const input = fc.constantFrom(paths.model, paths.weights, paths.data, paths.notJson, paths.missing, paths.folder, "");
  const output = fc.constantFrom(paths.out, paths.outInMissingFolder, paths.folder, "");
  const valueOf = { input, output, number: numberText, count: countText, word: wordText } as const;
  const option = fc.constantFrom(...(Object.keys(options) as (keyof typeof options)[])).chain((name) => {
    const kind = options[name];
    return kind === "flag" ? fc.constant<string[]>([name]) : valueOf[kind].map((v): string[] => [name, v]);
  });
  const stray = fc.constantFrom<string[]>(["--bogus"], ["-x"], ["extra"], ["--model"], ["--"], ["--lr=0.1"], ["--epochs=abc"]);
  return fc
    .record({
      command: fc.constantFrom(...commands),
      rest: fc.array(fc.oneof({ weight: 6, arbitrary: option }, { weight: 1, arbitrary: stray }), { maxLength: 10 }),
    })
    .map(({ command, rest }) => [...(command ? [command] : []), ...rest.flat()]);
}

/**
 * Command lines that name a valid model, weights and data and then vary the
 * options of one command: most of them get far enough to run.
 */
export function runnableCliArgs(paths: CliPaths): fc.Arbitrary<string[]> {
  const base = {
    run: ["run", "--model", paths.model, "--weights", paths.weights, "--data", paths.data, "--out", paths.out],
    grad: ["grad", "--model", paths.model, "--weights", paths.weights, "--data", paths.data, "--out", paths.out],
    train: ["train", "--model", paths.model, "--seed", "1", "--data", paths.data, "--save", paths.out, "--optimizer", "sgd", "--lr", "0.1", "--quiet"],
    plan: ["plan", "--model", paths.model, "--data", paths.data],
    viz: ["viz", "--model", paths.model, "--out", `${paths.out}.svg`],
  };
  return fc
    .record({ command: fc.constantFrom(...(Object.keys(base) as (keyof typeof base)[])), more: cliArgs(paths) })
    .map(({ command, more }) => [...base[command], ...more.slice(more[0]?.startsWith("-") ? 0 : 1)]);
}
