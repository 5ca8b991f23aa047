/** JavaScript's own error types: one escaping a loader is a defect, whatever its message. */
const strayErrors = [TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError];

/** The constructor of an error type the engine throws on purpose. */
export type ErrorType = abstract new (...args: never[]) => Error;

/** The result of one case: it worked, or it threw `error`. */
export type Outcome<T> = { readonly ok: true; readonly value: T; readonly ms: number } | { readonly ok: false; readonly error: unknown; readonly ms: number };

/** Runs `fn` and records what happened and how long it took. */
export async function outcomeOf<T>(fn: () => T | Promise<T>): Promise<Outcome<T>> {
  const start = performance.now();
  try {
    const value = await fn();
    return { ok: true, value, ms: performance.now() - start };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - start };
  }
}

/** A short description of a thrown value, for assertion messages. */
export function describeError(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message.slice(0, 300)}\n${e.stack?.split("\n").slice(1, 6).join("\n")}` : String(e);
}

/**
 * Throws unless `error` is one of the engine's own `types` (and not one of
 * JavaScript's TypeError, RangeError, ...), and `names` accepts its message.
 */
export function expectEngineError(error: unknown, types: readonly ErrorType[], names: (message: string) => boolean, what: string): void {
  const own = error instanceof Error && types.some((t) => error instanceof t) && !strayErrors.some((t) => error instanceof t);
  if (!own) throw new Error(`${what}: expected ${types.map((t) => t.name).join(" or ")}, got ${describeError(error)}`);
  if (!names((error as Error).message)) throw new Error(`${what}: the message does not name the field at fault: ${(error as Error).message.slice(0, 300)}`);
}

/** Throws when a case took longer than `limitMs`. */
export function expectFast(ms: number, limitMs: number, what: string): void {
  if (ms > limitMs) throw new Error(`${what}: took ${Math.round(ms)} ms, more than ${limitMs} ms`);
}
