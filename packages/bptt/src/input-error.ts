/**
 * A request that cannot run as given: a missing or misshapen tensor, a bad
 * length, a truncation that does not fit the model. The message names what is
 * wrong; nothing has run or changed.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}
