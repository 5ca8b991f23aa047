/** A mistake in the user's input: printed as one paragraph, without a stack trace, exit code 2. */
export class UserError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UserError";
  }
}

/** Runs `fn`, turning any error it throws into a {@link UserError} that names the file (the error it was made of as its cause). */
export function blameFile<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${file}: ${(e as Error).message}`, { cause: e });
  }
}
