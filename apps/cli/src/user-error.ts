/** A mistake in the user's input: printed as one paragraph, without a stack trace, exit code 2. */
export class UserError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UserError";
  }
}

/** JavaScript's own error types: thrown while reading a file, they are a defect (or memory running out), not the file's fault. */
const NATIVE_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

/**
 * Runs `fn`, turning an error it throws over the file's content into a
 * {@link UserError} that names the file (the error it was made of as its
 * cause). JavaScript's own errors pass through, so that a defect is reported
 * as one (see `failureOf`) and not blamed on the file.
 */
export function blameFile<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UserError || NATIVE_ERRORS.some((type) => e instanceof type)) throw e;
    throw new UserError(`${file}: ${(e as Error).message}`, { cause: e });
  }
}
