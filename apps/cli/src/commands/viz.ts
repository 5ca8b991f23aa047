import { basename, extname } from "node:path";
import { loadProgram } from "@unroll/ir";
import { htmlPage, stepGraphSvg, windowDiagram, windowSvg } from "@unroll/viz";
import { processIo, type CliIo } from "../io.js";
import { readJson, writeTextAtomic } from "../files.js";
import { checkOut, STDOUT } from "../json-out.js";
import { positiveInteger } from "../positive-integer.js";
import { parseTruncation, type TruncationOptions } from "../truncation-options.js";
import { blameFile, UserError } from "../user-error.js";

/** Options of `unroll viz`. */
export interface VizCommandOptions extends TruncationOptions {
  /** MODEL.json path. */
  readonly model: string;
  /** Steps to unroll: draw the unrolled window instead of the step graph. */
  readonly window?: string;
  /** Time checkpointing interval of the unrolled window. */
  readonly checkpoint?: string;
  /** FILE.svg or FILE.html. */
  readonly out: string;
}

/**
 * `unroll viz`: draws a model as SVG, or as a standalone HTML page holding the
 * SVG, by the extension of `--out` (written atomically). Without `--window`,
 * the step graph of every stage; with `--window K`, the K steps unrolled as the
 * scheduler runs them: forward and backward scans, the truncation plan's
 * windows and cuts, checkpoints and recompute passes.
 */
export function vizCommand(opts: VizCommandOptions, io: CliIo = processIo): void {
  // --out -: the SVG on standard output
  const format = opts.out === STDOUT ? ".svg" : extname(opts.out).toLowerCase();
  if (format !== ".svg" && format !== ".html") throw new UserError(`--out must name a .svg or .html file (or - for SVG on standard output), got "${opts.out}"`);
  checkOut(opts.out);
  const truncation = parseTruncation(opts);
  if (opts.window === undefined && (truncation.kind !== "full" || opts.checkpoint !== undefined)) {
    throw new UserError("--truncate, --k1/--k2 and --checkpoint apply to the unrolled window: give --window K too");
  }
  const checkpointEvery = opts.checkpoint === undefined ? 1 : positiveInteger("--checkpoint", opts.checkpoint);
  const steps = opts.window === undefined ? undefined : positiveInteger("--window", opts.window);
  const program = blameFile(opts.model, () => loadProgram(readJson(opts.model, "model")));
  const name = basename(opts.model);
  const [title, svg] =
    steps === undefined
      ? [`Step graph of ${name}`, stepGraphSvg(program, { title: `Step graph of ${name}` })]
      : [
          `${name} unrolled over ${steps} steps`,
          windowSvg(windowDiagram(program, { steps, truncation, checkpointEvery }), { title: `${name} unrolled over ${steps} steps` }),
        ];
  if (opts.out === STDOUT) {
    io.stdout(`${svg}\n`);
    return;
  }
  writeTextAtomic(opts.out, format === ".svg" ? `${svg}\n` : htmlPage(title, [svg]));
  io.stdout(`wrote ${opts.out}: ${title}\n`);
}
