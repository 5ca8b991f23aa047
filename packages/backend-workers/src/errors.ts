import { NonFiniteError } from "@unroll/bptt";
import type { WireError } from "./protocol.js";

/**
 * How a worker failed: it threw inside a call; it died (exited, crashed, was
 * cancelled); or it hung, giving no answer within the call's timeout (then the
 * pool terminated it).
 */
export type WorkerFailure = "threw" | "died" | "hung";

/** A call on a pool worker failed; the message names the worker and the cause. */
export class WorkerError extends Error {
  /** Index of the worker in the pool. */
  readonly worker: number;
  /** Whether the worker threw (it is still usable), or died or hung (the pool replaces it). */
  readonly failure: WorkerFailure;

  constructor(worker: number, failure: WorkerFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WorkerError";
    this.worker = worker;
    this.failure = failure;
    formatStackNow(this);
    // the pool makes the causes of timeouts and cancellations inside its calls too
    if (options?.cause instanceof Error) formatStackNow(options.cause);
  }
}

/**
 * Formats an error's stack at once. Until its `stack` is read, V8 keeps the
 * frames it was thrown from, with their closures: for an error made inside
 * the pool, the window's job and buffers, alive as long as the error is.
 */
function formatStackNow<E extends Error>(e: E): E {
  void e.stack;
  return e;
}

/** The error a cancelled call rejects with: named `AbortError`, the signal's reason as its cause. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error && reason.name !== "AbortError" ? `: ${reason.message}` : "";
  const e = new Error(`the window was cancelled${why}`, { cause: reason });
  e.name = "AbortError";
  return formatStackNow(e);
}

/**
 * An error a worker reported from inside a call, brought back to life: a
 * `NonFiniteError` stays one (with its site), so callers can handle it as on
 * the CPU backend; anything else becomes a {@link WorkerError}. Both name the
 * worker and its rows.
 */
export function reviveWorkerError(worker: number, where: string, wire: WireError): Error {
  const prefix = `worker ${worker} (${where})`;
  const cause = Object.assign(new Error(wire.message), { name: wire.name, ...(wire.stack !== undefined ? { stack: wire.stack } : {}) });
  if (wire.name === "NonFiniteError" && wire.site) {
    const e = new NonFiniteError(wire.site, NaN);
    e.message = `${prefix}: ${wire.message}`;
    return formatStackNow(e);
  }
  return new WorkerError(worker, "threw", `${prefix} failed: ${wire.message}`, { cause });
}
