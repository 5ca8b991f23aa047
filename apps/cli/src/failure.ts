import { CommanderError } from "commander";
import { GraphError } from "@unroll/ir";
import { InputError, NonFiniteError } from "@unroll/bptt";
import { WorkerError } from "@unroll/backend-workers";
import { UserError } from "./user-error.js";

/** How the CLI reports a failure: one line for standard error (none when commander printed it already) and the exit code. */
export interface Failure {
  /** The line to print, without the `unroll: ` prefix; undefined when nothing more is to be printed. */
  readonly line?: string;
  /** 2 for a mistake in the input or the options, 1 for a failure during the run, 0 after `--help`. */
  readonly exitCode: 0 | 1 | 2;
}

/** V8's messages when an ArrayBuffer, typed array or array cannot be allocated. */
const ALLOCATION_FAILED = /array buffer allocation failed|invalid (typed )?array length|invalid string length|out of memory/i;

/**
 * Sorts any thrown value into a {@link Failure}: the engine's own errors by
 * what they mean, allocation failures as such, and anything else as a defect
 * of unroll's (still one line; `UNROLL_DEBUG=1` shows the stack).
 */
export function failureOf(e: unknown): Failure {
  if (e instanceof CommanderError) return { exitCode: e.exitCode === 0 ? 0 : 2 }; // commander printed the problem or the help
  if (e instanceof UserError || e instanceof GraphError || e instanceof InputError) return { line: e.message, exitCode: 2 };
  if (e instanceof NonFiniteError || e instanceof WorkerError) return { line: e.message, exitCode: 1 };
  if (e instanceof Error && e.name === "AbortError") return { line: e.message, exitCode: 1 };
  if (e instanceof RangeError && ALLOCATION_FAILED.test(e.message)) {
    return { line: `out of memory: ${e.message}; use smaller sizes, a smaller batch or --truncate/--checkpoint to need less`, exitCode: 1 };
  }
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { line: `internal error: ${message} (a defect in unroll; UNROLL_DEBUG=1 prints its stack trace)`, exitCode: 1 };
}
