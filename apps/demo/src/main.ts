import { resolve } from "node:path";
import { Command, Option } from "commander";
import { GraphError } from "@unroll/ir";
import { NonFiniteError, optimizerNames, type OptimizerName } from "@unroll/bptt";
import { backends, type BackendName } from "@unroll/backends";
import { defaultLr, type Budget, type CellKind } from "@unroll/demo-kit";
import { loadCheckpoint } from "./checkpoint.js";
import { integer, intAtLeast, positive } from "./cli-options.js";
import { copyMethods, type CopyMethod } from "./copy-methods.js";
import { runCopyTask } from "./copy-task.js";
import { generateFromCheckpoint } from "./generate.js";
import type { TextSettings } from "./settings.js";
import { runSineTask } from "./sine-task.js";
import { runTextTask } from "./text-task.js";
import { UserError } from "./user-error.js";

/** The parsed command line. */
interface DemoOptions {
  task: "text" | "sine" | "copy";
  text?: string;
  cell: CellKind;
  hidden?: number;
  layers: number;
  window?: number;
  batch?: number;
  optimizer: OptimizerName;
  lr?: number;
  backend: BackendName;
  steps?: number;
  time?: number;
  seed: number;
  sampleEvery?: number;
  temperature: number;
  save?: string;
  resume?: string;
  sample?: number;
  prime?: string;
  report?: string;
  method: "all" | CopyMethod;
  lag: number;
  symbols: number;
  updateEvery?: number;
}

const program = new Command("demo")
  .description("unroll demo: a recurrent network learns to write text (char-rnn style), live in the terminal")
  .addOption(
    new Option("--task <name>", "text: learn to write text; sine: predict a noisy sine wave; copy: recall a symbol after a lag, BPTT vs truncated BPTT vs RTRL")
      .choices(["text", "sine", "copy"])
      .default("text"),
  )
  .option("--text <file>", "text file to learn (default: Shakespeare's Sonnets I-L, shipped in apps/demo/data)")
  .addOption(new Option("--cell <kind>", "recurrent cell").choices(["rnn", "lstm", "gru"]).default("gru"))
  .option("--hidden <H>", "hidden units per layer (default 128; sine 16; copy 8)", intAtLeast(1))
  .option("--layers <N>", "stacked recurrent layers", intAtLeast(1), 1)
  .option("--window <K>", "truncated BPTT window: steps per optimizer step (default 32; sine 20; copy 4)", intAtLeast(1))
  .option("--batch <B>", "parallel streams the data is read as; copy: sequences per batch (default 16; copy 4)", intAtLeast(1))
  .addOption(new Option("--optimizer <name>", "optimizer").choices(optimizerNames).default("adam"))
  .option(
    "--lr <x>",
    `learning rate (default: ${Object.entries(defaultLr)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")})`,
    positive,
  )
  // the backends that run in Node (webgpu needs a browser: the web demo offers it)
  .addOption(new Option("--backend <name>", "where to run: cpu (this thread) or workers (a thread pool)").choices(backends.available()).default("cpu"))
  .option("--steps <N>", "train exactly N optimizer steps; copy: N sequence batches per method (default 600)", intAtLeast(1))
  .option("--time <seconds>", "train for this many seconds (default: text 60 s; sine 300 steps)", positive)
  .option("--seed <S>", "seed of the initial weights, the data and the samples", integer, 1)
  .option("--sample-every <N>", "print a sample every N steps, 0 for never (default: a tenth of --steps, else 100)", intAtLeast(0))
  .option("--temperature <x>", "sampling temperature: lower is more conservative", positive, 0.8)
  .option("--save <file>", "text task: write a checkpoint (weights, optimizer, position, state) at the end")
  .option("--resume <file>", "text task: continue training from a checkpoint")
  .option("--sample <N>", "with --resume: generate N characters from the saved model, no training", intAtLeast(1))
  .option("--prime <text>", "with --sample: the text to continue (default a line break)")
  .option("--report <file>", "where to write the HTML report (default demo-output/<task>-report.html)")
  .addOption(
    new Option("--method <name>", "copy task: the gradient method to train with, or all of them one after another")
      .choices(["all", ...copyMethods])
      .default("all"),
  )
  .option("--lag <L>", "copy task: steps from the symbol to its recall", intAtLeast(1), 12)
  .option("--symbols <S>", "copy task: number of symbols to recall from", intAtLeast(2), 2)
  .option("--update-every <N>", "copy task: RTRL and SnAp-1 update every N steps (online) instead of once per sequence batch", intAtLeast(1))
  .showHelpAfterError();

/** Options of the copy task alone. */
const copyOnly = ["method", "lag", "symbols", "updateEvery"] as const;

/** Options of the text task that the copy task has no use for. */
const notForCopy = ["text", "save", "resume", "sample", "prime", "sampleEvery", "temperature", "time"] as const;

/** `--update-every` for `updateEvery`. */
const flag = (name: string): string => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Options that define a text run: given together with --resume they must match the checkpoint. */
const defining = ["text", "cell", "hidden", "layers", "window", "batch", "optimizer", "lr", "seed"] as const;

function budgetOf(o: DemoOptions, fallback: Budget): Budget {
  if (o.steps !== undefined && o.time !== undefined) throw new UserError("give --steps or --time, not both");
  if (o.steps !== undefined) return { kind: "steps", steps: o.steps };
  if (o.time !== undefined) return { kind: "time", seconds: o.time };
  return fallback;
}

async function main(): Promise<void> {
  program.parse(process.argv);
  const o = program.opts<DemoOptions>();
  const given = (name: string): boolean => program.getOptionValueSource(name) === "cli";
  const report = resolve(o.report ?? `demo-output/${o.task}-report.html`);
  if (o.sample !== undefined && !o.resume) throw new UserError("--sample generates from a saved model: give --resume FILE too");
  if (o.prime !== undefined && o.sample === undefined) throw new UserError("--prime applies to --sample only");

  if (o.task !== "copy") for (const name of copyOnly) if (given(name)) throw new UserError(`${flag(name)} applies to the copy task only`);

  if (o.task === "copy") {
    for (const name of notForCopy) if (given(name)) throw new UserError(`${flag(name)} does not apply to the copy task`);
    const methods = o.method === "all" ? copyMethods : [o.method];
    const window = o.window ?? 4;
    if (o.updateEvery !== undefined && !methods.includes("rtrl") && !methods.includes("snap1")) {
      throw new UserError("--update-every applies to RTRL and SnAp-1: give --method rtrl, snap1 or all");
    }
    if (methods.includes("tbptt") && window > o.lag) {
      throw new UserError(`--window ${window} spans the recall (lag ${o.lag}): truncated BPTT would be full BPTT, so give a window of at most the lag`);
    }
    const batches = o.steps ?? 600;
    await runCopyTask({
      methods,
      cell: o.cell,
      hidden: o.hidden ?? 8,
      layers: o.layers,
      lag: o.lag,
      symbols: o.symbols,
      window,
      ...(o.updateEvery !== undefined ? { updateEvery: o.updateEvery } : {}),
      batch: o.batch ?? 4,
      batches,
      evalEvery: Math.max(1, Math.round(batches / 60)),
      optimizer: o.optimizer,
      lr: o.lr ?? defaultLr[o.optimizer],
      seed: o.seed,
      backend: o.backend,
      report,
    });
    return;
  }

  if (o.task === "sine") {
    for (const name of ["text", "save", "resume", "sample"]) if (given(name)) throw new UserError(`--${name} applies to the text task only`);
    await runSineTask({
      cell: o.cell,
      hidden: o.hidden ?? 16,
      layers: o.layers,
      window: o.window ?? 20,
      batch: o.batch ?? 16,
      optimizer: o.optimizer,
      lr: o.lr ?? defaultLr[o.optimizer],
      seed: o.seed,
      budget: budgetOf(o, { kind: "steps", steps: 300 }),
      backend: o.backend,
      report,
    });
    return;
  }

  const checkpoint = o.resume ? loadCheckpoint(o.resume) : undefined;
  if (checkpoint && o.sample !== undefined) {
    const text = await generateFromCheckpoint(checkpoint, {
      length: o.sample,
      temperature: o.temperature,
      seed: given("seed") ? o.seed : checkpoint.settings.seed,
      backend: o.backend,
      ...(o.prime !== undefined ? { prime: o.prime } : {}),
    });
    process.stdout.write(text + "\n");
    return;
  }
  const fresh: TextSettings = {
    text: o.text === undefined ? null : resolve(o.text),
    cell: o.cell,
    hidden: o.hidden ?? 128,
    layers: o.layers,
    window: o.window ?? 32,
    batch: o.batch ?? 16,
    optimizer: o.optimizer,
    lr: o.lr ?? defaultLr[o.optimizer],
    seed: o.seed,
  };
  if (checkpoint) {
    for (const name of defining) {
      const saved = checkpoint.settings[name];
      if (given(name) && fresh[name] !== saved) {
        throw new UserError(
          `--${name} ${String(fresh[name])} differs from the checkpoint's ${String(saved)}: a resumed run keeps its settings, so leave it out`,
        );
      }
    }
  }
  await runTextTask({
    settings: checkpoint?.settings ?? fresh,
    ...(checkpoint ? { resume: checkpoint } : {}),
    budget: budgetOf(o, { kind: "time", seconds: 60 }),
    backend: o.backend,
    sampleEvery: o.sampleEvery ?? (o.steps !== undefined ? Math.max(1, Math.ceil(o.steps / 10)) : 100),
    temperature: o.temperature,
    ...(o.save ? { save: resolve(o.save) } : {}),
    report,
  });
}

try {
  await main();
} catch (e) {
  if (e instanceof UserError || e instanceof GraphError || e instanceof NonFiniteError) {
    process.stderr.write(`demo: ${e.message}\n`);
    process.exitCode = e instanceof NonFiniteError ? 1 : 2;
  } else {
    throw e;
  }
}
