/**
 * The words a thread team shares in the memory's control block: one slot per
 * worker, each on its own cache lines, so that posting a job and finishing one
 * are a store and an `Atomics.notify`, never a message.
 */

/** Int32 words per worker slot (512 bytes: its own cache lines). */
export const SLOT_WORDS = 128;

/** Word of a slot: the job's sequence number; the lead bumps it to post a job. */
export const SEQ = 0;
/** Word of a slot: the sequence number of the last job the worker finished. */
export const DONE = 1;
/** Word of a slot: 0 when the last job ran, else a {@link Failure} code. */
export const STATUS = 2;
/** Word of a slot: the job's {@link Op}. */
export const OP = 3;
/** Word of a slot: how many chain modules the worker has instantiated. */
export const LOADED = 4;
/** First word of a job's arguments. */
export const ARGS = 8;
/** First word of the message of a job that threw: its length, then one UTF-16 code unit per word. */
export const MESSAGE = 64;

/** What a job asks of a worker. */
export const enum Op {
  /** `gemm(flags, m, n, k, a, lda, b, ldb, c, ldc, alpha, beta, ws)`: alpha and beta as float32 bits. */
  Gemm = 1,
  /** `chain(module, index, out, start, end, period, ...inputs)` of an elementwise chain module. */
  Chain = 2,
  /** Return to the event loop, to receive the module posted before this job. */
  Yield = 3,
  /** Nothing: wakes a sleeping worker ahead of the jobs that follow. */
  Wake = 4,
}

/** What went wrong in a worker's job. */
export const enum Failure {
  /** The job threw (a trap, a bad module index); its message is at {@link MESSAGE}. */
  Threw = 1,
}

/** The message that starts a worker. */
export interface TeamInit {
  readonly kind: "init";
  /** The shared memory every thread computes in. */
  readonly memory: object;
  /** The compiled GEMM module (`WebAssembly.Module`), built for a shared memory. */
  readonly gemm: object;
  /** Byte offset of the control block. */
  readonly control: number;
  /** This worker's slot (1 for the first worker; slot 0 is the lead's). */
  readonly slot: number;
}

/** A module of elementwise chains, posted before a {@link Op.Yield} job. */
export interface TeamChains {
  readonly kind: "chains";
  /** The wasm binary; its exports `c0`, `c1`, … are the chains. */
  readonly bytes: Uint8Array;
}

/** What a worker posts back once it has instantiated the GEMM and waits for jobs. */
export interface TeamReady {
  readonly kind: "ready";
}
