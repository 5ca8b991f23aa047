/**
 * The error that an async call rejects with. Fails when the call resolves, when it
 * throws synchronously instead of returning a rejected promise (the Backend
 * contract is async), or when it rejects with something that is not an Error.
 */
export async function rejection(call: () => Promise<unknown>): Promise<Error> {
  let promise: Promise<unknown>;
  try {
    promise = call();
  } catch (e) {
    throw new Error(`expected a rejected promise, but the call threw synchronously: ${String(e)}`, { cause: e });
  }
  try {
    await promise;
  } catch (e) {
    if (e instanceof Error) return e;
    throw new Error(`expected a rejection with an Error, got ${String(e)}`, { cause: e });
  }
  throw new Error("expected the call to reject, but it resolved");
}
