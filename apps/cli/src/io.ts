/** Where the CLI writes: standard output and standard error, or a test's buffers. */
export interface CliIo {
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
}

/** The process's standard output and error. */
export const processIo: CliIo = { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) };

/** Prints a warning as one `unroll: warning: ...` line on `io`'s standard error. */
export function warnOn(io: CliIo): (line: string) => void {
  return (line) => io.stderr(`unroll: warning: ${line}\n`);
}
