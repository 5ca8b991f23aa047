/** A mistake in the command line or its files: reported as one line, exit status 2, no stack trace. */
export class UserError extends Error {
  override readonly name = "UserError";
}
