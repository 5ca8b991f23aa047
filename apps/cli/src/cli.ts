import { Command, Option } from "commander";
import { metricNames, optimizerNames } from "@unroll/bptt";
import { exportCommand, exportFormats, type ExportCommandOptions } from "./commands/export.js";
import { generateCommand, type GenerateCommandOptions } from "./commands/generate.js";
import { gradCommand, type GradCommandOptions } from "./commands/grad.js";
import { importCommand, type ImportCommandOptions } from "./commands/import.js";
import { planCommand, type PlanCommandOptions } from "./commands/plan.js";
import { runCommand, type RunCommandOptions } from "./commands/run.js";
import { summaryCommand, type SummaryCommandOptions } from "./commands/summary.js";
import { trainCommand, type TrainCommandOptions } from "./commands/train.js";
import { vizCommand, type VizCommandOptions } from "./commands/viz.js";
import { backendHelp, withThreads, withWorkers } from "./backends.js";
import { failureOf } from "./failure.js";
import { processIo, type CliIo } from "./io.js";
import { withMemoryHint } from "./memory-options.js";
import { dataFormats } from "./load-sequences.js";
import { LR_SCHEDULE_SYNTAX } from "./lr-schedule-options.js";

const MAX_MEMORY_HELP =
  "memory budget: a request that would need more (parameters, files, a window) is refused before allocating (default: half the memory available)";

/** Adds the options that run, grad and train share. */
function common(cmd: Command, weightsRequired: boolean): Command {
  cmd
    .requiredOption("--model <file>", "model spec or IR graph (JSON)")
    .option("--data <file>", "sequences: { x: [T][B][I], y?, initialState?, lengths? } (JSON, or the same tensors as .safetensors), or a CSV time series");
  data(cmd);
  if (weightsRequired) cmd.requiredOption("--weights <file>", "parameters: { <name>: nested arrays } (JSON), or .safetensors");
  return cmd
    .addOption(new Option("--dtype <type>", "precision").choices(["float32", "float64"]).default("float32"))
    .option("--backend <name>", backendHelp(), "cpu")
    .option("--workers <N>", "--backend workers: number of workers (default: one per CPU core)")
    .option("--threads <N>", "--backend wasm: threads that split each large kernel, this one included (default: one per CPU core; 1: no workers)")
    .option("--max-memory <MiB>", MAX_MEMORY_HELP);
}

/** Adds the options that say how to read DATA (a CSV time series, plain text); see load-sequences.ts. */
function data(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        "--data-format <format>",
        "how to read the data (default: .csv is csv, .txt is text, .safetensors is safetensors, anything else json)",
      ).choices(dataFormats),
    )
    .option("--input-cols <cols>", "CSV: the input columns, comma-separated header names or 0-based indices")
    .option("--target-cols <cols>", "CSV: the target columns (default with --target-shift: the input columns)")
    .option("--target-shift <k>", "CSV: the target at step t is row t + k of the target columns (1: predict the next step)")
    .option("--sequence-col <col>", "CSV: rows with the same value here form one sequence (one batch row), in file order; shorter ones are padded and masked")
    .option("--window <T>", "CSV: cut the one long series into windows of T steps (one batch row each)")
    .option("--stride <S>", "CSV: --window: steps between window starts (default: the window)")
    .option("--header <mode>", "CSV: is the first row a header: auto (when a cell is not a number), yes or no")
    .option("--text <file>", "plain text for a character-level model, instead of --data: next-character targets")
    .option("--seq-len <T>", "--text: steps per sequence (the text is cut into rows of T characters)")
    .option("--vocab <file>", "--text: the vocabulary to use (from --save-vocab), so that ids match another run")
    .option("--save-vocab <file>", "--text: save the vocabulary (sorted unique characters) to reuse with --vocab");
}

/** Adds the choice of gradient method. */
function method(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      "--method <m>",
      "bptt: backpropagation through time; rtrl: real-time recurrent learning (forward, exact, no truncation, causal models); snap1: RTRL's sparse approximation SnAp-1",
    )
      .choices(["bptt", "rtrl", "snap1"])
      .default("bptt"),
  );
}

/** Adds the truncation options. */
function truncation(cmd: Command): Command {
  return cmd
    .option("--truncate <K>", "chunked truncated BPTT with windows of K steps")
    .option("--k1 <A>", "BPTT(k1, k2): update every k1 steps")
    .option("--k2 <B>", "BPTT(k1, k2): backpropagate through the last k2 steps")
    .option("--checkpoint <N>", "keep the state every N steps and recompute the rest in backward (saves memory)");
}

/** The `unroll` command and its subcommands, made fresh for each run (commander keeps parsed values on the command). */
function unrollCommand(io: CliIo): Command {
  const program = new Command("unroll")
    .description("train and run recurrent networks described as dataflow graphs")
    // commander's own errors (a missing or unknown option) start with "unroll:" like every other failure
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(text.replace(/^error: /, "unroll: ")) })
    // one error line and where to look, not forty lines of help
    .showHelpAfterError("(add --help for the options)")
    .exitOverride();

  // --workers N and --threads N travel to the commands inside the backend spec: `workers:N`, `wasm:N`
  program.hook("preAction", (_, command) => {
    const { backend, workers, threads } = command.opts<{ backend?: string; workers?: string; threads?: string }>();
    if (workers !== undefined && backend !== undefined) command.setOptionValue("backend", withWorkers(backend, workers));
    if (threads !== undefined && backend !== undefined) command.setOptionValue("backend", withThreads(backend, threads));
  });

  common(program.command("run").description("run a model forward over a sequence"), true)
    .requiredOption("--out <file>", "where to write { outputs, states, finalState, loss? } (- for standard output)")
    .option("--quiet", "no summary line")
    .action(withMemoryHint((o: RunCommandOptions) => runCommand(o, io)));

  method(
    truncation(
      common(
        program
          .command("grad")
          .description(
            "loss and exact gradients (full or truncated BPTT, or RTRL), no update; by BPTT also the gradient flow (deltaNorms: the norm of dL/dh_t at each step of each window)",
          ),
        true,
      ),
    ),
  )
    .requiredOption("--out <file>", "where to write { loss, outputs, states, finalState, grads, inputGrads, windows? } (- for standard output)")
    .option("--quiet", "no summary line")
    .action(withMemoryHint((o: GradCommandOptions) => gradCommand(o, io)));

  const plan = truncation(
    program.command("plan").description("print the windows, the window programs and the estimated peak memory that grad and train would use, without running"),
  )
    .requiredOption("--model <file>", "model spec or IR graph (JSON)")
    .option("--data <file>", "sequences: { x: [T][B][I], y?, initialState?, lengths? } (JSON, or the same tensors as .safetensors), or a CSV time series")
    .addOption(new Option("--dtype <type>", "precision").choices(["float32", "float64"]).default("float32"))
    .option("--json", "print the same as one JSON document")
    .addOption(new Option("--method <m>", "plan BPTT (default), RTRL or SnAp-1").choices(["bptt", "rtrl", "snap1"]))
    .option("--online <N>", "--method rtrl or snap1: an update every N steps")
    .option("--max-memory <MiB>", "memory budget the estimate is compared with (default: half the memory available)");
  data(plan).action(withMemoryHint((o: PlanCommandOptions) => planCommand(o, io)));

  method(truncation(common(program.command("train").description("train a model and save its weights"), false)))
    .option("--online <N>", "--method rtrl or snap1: update the weights every N steps (1: fully online), the state and sensitivities carrying on")
    .option("--weights <file>", "starting parameters (JSON, or .safetensors)")
    .option("--seed <N>", "fresh parameters from this seed (uniform ±1/sqrt(H), as PyTorch)")
    .option("--dropout-seed <S>", "a model with dropout: seed of its dropout masks, new ones each epoch (default 0)")
    .requiredOption("--save <file>", "where to write the trained weights (atomically): JSON, or safetensors when it ends in .safetensors")
    .addOption(new Option("--optimizer <name>", "optimizer").choices(optimizerNames).makeOptionMandatory())
    .requiredOption("--lr <x>", "learning rate")
    .option("--momentum <m>", "momentum factor (momentum optimizer; default 0.9)")
    .option("--beta1 <b>", "Adam β1 (default 0.9)")
    .option("--beta2 <b>", "Adam β2 (default 0.999)")
    .option("--eps <e>", "Adam/RMSprop ε (default 1e-8)")
    .option("--alpha <a>", "RMSprop smoothing constant (default 0.99)")
    .option("--weight-decay <w>", "L2 penalty added to the gradient")
    .option("--clip-value <v>", "clamp gradient elements to ±v (applied first)")
    .option("--clip-norm <c>", "rescale gradients to a global norm of at most c")
    .option("--epochs <E>", "passes over the data", "1")
    .option("--batch-size <N>", "split the batch into minibatches of N rows")
    .option("--stateful", "carry the final state into the next epoch")
    .option("--quiet", "no progress bar or summary")
    .option("--log <file>", "write one JSON line per optimizer step (by BPTT with its gradient flow: deltaNorms and gradNorms)")
    .option(
      "--snapshot <file>",
      "write the whole training state (weights, optimizer, position) atomically, to resume from (JSON, or safetensors when it ends in .safetensors)",
    )
    .option("--snapshot-every <N>", "--snapshot: every N optimizer steps (default: at the end of each epoch), and always at the end")
    .option("--resume <file>", "continue from a snapshot to the same --epochs total (instead of --weights or --seed)")
    .option("--lr-schedule <s>", `decay the learning rate over epochs: ${LR_SCHEDULE_SYNTAX}`)
    .option("--warmup <N>", "raise the learning rate linearly over the first N optimizer steps (with or without --lr-schedule)")
    .option("--val-data <file>", "data to report the loss and metric on after each epoch, without training on it (same format as --data)")
    .option("--val-split <F>", "validate on the last fraction F of --data's sequences, in (0, 1), and train on the rest")
    .addOption(new Option("--metric <name>", "metric to report (default: accuracy for cross_entropy, mae for mse)").choices(metricNames))
    .option("--patience <N>", "early stopping: stop after N epochs without a lower validation loss (needs --val-data or --val-split)")
    .option("--min-delta <x>", "--patience: the least decrease of the validation loss that counts (default 0)")
    .option("--restore-best", "--patience: end with the weights of the epoch with the best validation loss (the default)")
    .option("--no-restore-best", "--patience: end with the last epoch's weights")
    .action(withMemoryHint((o: TrainCommandOptions) => trainCommand(o, io)));

  program
    .command("generate")
    .description(
      "run a model on its own predictions: prime its state with input steps, then feed each output (or a class sampled from it) back as the next input",
    )
    .requiredOption("--model <file>", "model spec or IR graph (JSON)")
    .requiredOption("--weights <file>", "parameters: { <name>: nested arrays } (JSON), or .safetensors")
    .requiredOption("--prime <file>", "input steps [P][B][I] (or [P][B] token ids), or a data file whose x (and initialState) prime the model")
    .option("--prime-steps <P>", "use only the first P steps of --prime")
    .requiredOption("--steps <N>", "free-running steps after the prime")
    .option("--temperature <x>", "classes: sample from softmax(logits / x); 0 takes the most likely class (default 1)")
    .option("--seed <S>", "classes: the sampling seed (default 0)")
    .addOption(
      new Option("--mode <m>", "how outputs become inputs (default: classes for a softmax output, else regression)").choices(["regression", "classes"]),
    )
    .requiredOption("--out <file>", "where to write { inputs, outputs, samples?, finalState } (- for standard output)")
    .addOption(new Option("--dtype <type>", "precision").choices(["float32", "float64"]).default("float32"))
    .option("--backend <name>", backendHelp(), "cpu")
    .option("--workers <N>", "--backend workers: number of workers (default: one per CPU core)")
    .option("--threads <N>", "--backend wasm: threads that split each large kernel, this one included (default: one per CPU core; 1: no workers)")
    .option("--max-memory <MiB>", MAX_MEMORY_HELP)
    .option("--quiet", "no summary line")
    .action(withMemoryHint((o: GenerateCommandOptions) => generateCommand(o, io)));

  program
    .command("summary")
    .description("the model's layers, per-step shapes, parameter counts and bytes in float32 and float64, like Keras' model.summary()")
    .requiredOption("--model <file>", "model spec or IR graph (JSON)")
    .option("--json", "print the same as one JSON document")
    .action((o: SummaryCommandOptions) => summaryCommand(o, io));

  program
    .command("export")
    .description(
      "write a model for another framework: ONNX (built-in cells as RNN/LSTM/GRU nodes, any other graph as Scan), a PyTorch nn.Module (.py) with its state_dict, or the state_dict of PyTorch's nn.RNN/LSTM/GRU as safetensors",
    )
    .requiredOption("--model <file>", "model spec or IR graph (JSON)")
    .requiredOption("--weights <file>", "parameters (JSON or .safetensors)")
    .addOption(new Option("--format <f>", "what to write").choices(exportFormats).makeOptionMandatory())
    .requiredOption("--out <file>", "the .onnx file, the .py module, or the .safetensors state_dict (written atomically)")
    .option("--out-weights <file>", "--format torch: where the module's state_dict goes (default: --out with .safetensors)")
    .addOption(new Option("--dtype <type>", "precision of the exported weights").choices(["float32", "float64"]).default("float32"))
    .option("--lengths", "--format onnx: a sequence_lens input [B] (steps past a row's length keep the state)")
    .option("--initial-states", "--format onnx: an input per state, initialState.<name> (default: states start at 0)")
    .addOption(
      new Option("--cells <how>", "--format onnx: a model spec's cells as RNN/LSTM/GRU nodes (native), as Scan, or native when possible (auto)").choices([
        "auto",
        "native",
        "scan",
      ]),
    )
    .option("--max-memory <MiB>", MAX_MEMORY_HELP)
    .option("--quiet", "no summary line")
    .action(withMemoryHint((o: ExportCommandOptions) => exportCommand(o, io)));

  program
    .command("import")
    .description(
      "read a model from another framework: an ONNX model with RNN/LSTM/GRU nodes (or a Scan unroll exported), or a PyTorch state_dict (safetensors)",
    )
    .requiredOption("--from <file>", "model.onnx, or a state_dict .safetensors with --torch")
    .requiredOption("--out-model <file>", "where the model spec goes (JSON)")
    .requiredOption("--out-weights <file>", "where the weights go (JSON, or .safetensors)")
    .addOption(new Option("--torch <module>", "the state_dict is PyTorch's nn.RNN, nn.LSTM or nn.GRU (+ an nn.Linear head)").choices(["rnn", "lstm", "gru"]))
    .option("--layers <N>", "--torch: num_layers (checked against the keys)")
    .option("--bidirectional", "--torch: bidirectional (checked against the keys)")
    .addOption(new Option("--activation <f>", "--torch rnn: the nonlinearity (default tanh)").choices(["tanh", "relu"]))
    .addOption(
      new Option("--head-activation <f>", "--torch: the activation after the nn.Linear head (default linear)").choices([
        "linear",
        "sigmoid",
        "tanh",
        "softmax",
      ]),
    )
    .addOption(new Option("--loss <loss>", "a loss for the model spec, so that it can be trained").choices(["mse", "cross_entropy"]))
    .addOption(new Option("--dtype <type>", "precision of the weights read").choices(["float32", "float64"]).default("float32"))
    .option("--max-memory <MiB>", MAX_MEMORY_HELP)
    .option("--quiet", "no summary line")
    .action(withMemoryHint((o: ImportCommandOptions) => importCommand(o, io)));

  program
    .command("viz")
    .description("draw a model as SVG (or an HTML page holding it): its step graph, or with --window K its K steps unrolled as the scheduler runs them")
    .requiredOption("--model <file>", "model spec or IR graph (JSON)")
    .option("--window <K>", "draw K steps unrolled: forward and backward scans, the truncation's windows and cuts, checkpoints")
    .option("--truncate <K>", "--window: chunked truncated BPTT with windows of K steps")
    .option("--k1 <A>", "--window: BPTT(k1, k2), an update every k1 steps")
    .option("--k2 <B>", "--window: BPTT(k1, k2), backpropagating through the last k2 steps")
    .option("--checkpoint <N>", "--window: keep the carries every N steps and recompute the rest during backward")
    .requiredOption("--out <file>", "FILE.svg, or FILE.html for a standalone page (written atomically); - for the SVG on standard output")
    .addHelpText(
      "after",
      `
  Examples:
    unroll viz --model model.json --out step.svg
        the step graph of every stage: ops, params, data inputs, carries (a dashed
        arrow from each carry's update back to it), outputs and the loss
    unroll viz --model model.json --window 12 --truncate 4 --checkpoint 2 --out window.html
        12 steps unrolled: the forward scan, then per window its scans in order,
        the gradient flowing back, the cut at each window's start, the recompute passes`,
    )
    .action((o: VizCommandOptions) => vizCommand(o, io));

  return program;
}

/**
 * Runs `unroll` with the arguments after the command name and resolves to its
 * exit code: 0 on success, 2 for a mistake in the input or the options, 1 for
 * a failure during the run. Never throws: every failure becomes one line on
 * `io.stderr` (with the stack trace only when `UNROLL_DEBUG` is set).
 */
export async function runUnroll(args: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    await unrollCommand(io).parseAsync([...args], { from: "user" });
    return 0;
  } catch (e) {
    return reportFailure(e, io);
  }
}

/** Prints a failure as one line (see {@link failureOf}) and returns its exit code. */
export function reportFailure(e: unknown, io: CliIo = processIo): number {
  const { line, exitCode } = failureOf(e);
  if (line !== undefined) io.stderr(`unroll: ${line}\n`);
  if (process.env.UNROLL_DEBUG && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
  return exitCode;
}

export type { CliIo } from "./io.js";
export { isSafetensorsPath, readWeights, writeWeights } from "./weights-file.js";
